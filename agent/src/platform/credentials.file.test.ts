import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileCredentialsStore, type DeviceCredentials } from './credentials.file';

const CREDENTIALS: DeviceCredentials = {
  deviceId: 'd1',
  deviceSecret: 'secret',
  schoolId: 's1',
  schoolName: 'Hill School',
  consoleUrl: 'http://127.0.0.1:8080',
  enrolledAt: '2025-01-06T09:00:00.000Z',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-creds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileCredentialsStore', () => {
  it('reads nothing before enrolment', async () => {
    expect(await new FileCredentialsStore(path.join(dir, 'credentials.json')).read()).toBeUndefined();
  });

  it('writes the credentials readable by the owner only, and reads them back', async () => {
    const file = path.join(dir, 'credentials.json');
    const store = new FileCredentialsStore(file);
    await store.write(CREDENTIALS);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.read()).toEqual(CREDENTIALS);
  });

  it.each(['{not json', JSON.stringify({ deviceId: 'd1' })])('refuses a damaged file: %s', async (content) => {
    const file = path.join(dir, 'credentials.json');
    writeFileSync(file, content);
    await expect(new FileCredentialsStore(file).read()).rejects.toMatchObject({
      code: 'AGENT_ERR_CREDENTIALS_INVALID',
    });
  });
});
