import type { PostgresCluster } from './postgres';

/** Stops the cluster of postgres-global-setup.ts. */
export default async function teardown(): Promise<void> {
  await (globalThis as { vigilTestCluster?: PostgresCluster }).vigilTestCluster?.stop();
}
