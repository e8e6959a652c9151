import { promises as fs } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EnrolResponseSchema, IsoInstantSchema } from '@vigil/shared';
import { AgentError } from '../errors';
import { writeFileAtomic } from './atomic-file';

/** What `enrol` keeps: the console's answer, plus where the console is and when it answered. */
export const DeviceCredentialsSchema = Type.Composite([
  EnrolResponseSchema,
  Type.Object({
    consoleUrl: Type.String({ minLength: 1 }),
    enrolledAt: IsoInstantSchema,
  }),
]);
export type DeviceCredentials = Static<typeof DeviceCredentialsSchema>;

/** Device credentials in `credentials.json`, mode 0600, replaced atomically. */
export class FileCredentialsStore {
  constructor(private readonly file: string) {}

  /** The stored credentials, or undefined when the device was never enrolled. */
  async read(): Promise<DeviceCredentials | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new AgentError('AGENT_ERR_CREDENTIALS_INVALID', undefined, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AgentError('AGENT_ERR_CREDENTIALS_INVALID', undefined, { cause: error });
    }
    if (!Value.Check(DeviceCredentialsSchema, parsed)) throw new AgentError('AGENT_ERR_CREDENTIALS_INVALID');
    return parsed;
  }

  async write(credentials: DeviceCredentials): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(credentials, null, 2)}\n`, 0o600);
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
