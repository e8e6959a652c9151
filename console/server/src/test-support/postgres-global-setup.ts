import { startPostgres, type PostgresCluster } from './postgres';

/**
 * Jest global setup of the "console-server (PostgreSQL)" project: one throwaway cluster for the
 * whole run; every harness makes its own fresh database in it (see harness.ts).
 */
export default async function setup(): Promise<void> {
  const cluster = await startPostgres();
  if (!cluster)
    throw new Error(
      'The PostgreSQL test pass needs the binaries under /usr/lib/postgresql (apt-get install postgresql)',
    );
  (globalThis as { vigilTestCluster?: PostgresCluster }).vigilTestCluster = cluster;
  process.env.VIGIL_TEST_PG_ADMIN_URL = cluster.adminUrl;
}
