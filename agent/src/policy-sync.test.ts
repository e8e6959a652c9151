import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_POLICY_SETTINGS, type Policy } from '@vigil/shared';
import type { PolicyResult, Transport } from './core/ports';
import { PolicySync } from './core/policy-sync';
import { FilePolicyStore } from './platform/policy.file';
import { MemoryLogger } from './test-support/memory-logger';

const policy = (version: string): Policy => ({
  version,
  keywords: [{ id: 'x', phrase: 'going country', category: 'county-lines', severity: 4, match: 'word' }],
  exclusions: [],
  settings: DEFAULT_POLICY_SETTINGS,
});

describe('PolicySync with the file store', () => {
  let dir: string;
  let answers: PolicyResult[];
  let asked: (string | null)[];
  let applied: string[];
  const transport = {
    fetchPolicy: (etag: string | null) => {
      asked.push(etag);
      return Promise.resolve(answers.shift() ?? { kind: 'not-modified' });
    },
  } as unknown as Transport;
  const make = () =>
    new PolicySync({
      transport,
      store: new FilePolicyStore(path.join(dir, 'policy.json')),
      log: new MemoryLogger(),
      apply: (p) => applied.push(p.version),
    });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-'));
    answers = [];
    asked = [];
    applied = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies and keeps a new policy, then asks with its ETag and gets 304', async () => {
    const sync = make();
    answers = [{ kind: 'ok', value: { policy: policy('v1'), etag: '"e1"' } }, { kind: 'not-modified' }];
    expect(await sync.sync()).toBe(true);
    expect(await sync.sync()).toBe(false);
    expect(asked).toEqual([null, '"e1"']);
    expect(applied).toEqual(['v1']);
    expect(statSync(path.join(dir, 'policy.json')).mode & 0o777).toBe(0o600);
  });

  it('starts from the last good policy when the console cannot be reached', async () => {
    answers = [{ kind: 'ok', value: { policy: policy('v1'), etag: '"e1"' } }];
    await make().sync();
    applied = [];
    const restarted = make();
    expect(await restarted.loadStored()).toBe(true);
    expect(applied).toEqual(['v1']);
    answers = [{ kind: 'retryable', code: 'AGENT_ERR_CONSOLE_UNREACHABLE', httpStatus: null, retryAfterMs: null }];
    expect(await restarted.sync()).toBe(false);
    expect(asked.at(-1)).toBe('"e1"');
    expect(applied).toEqual(['v1']);
  });

  it('refuses a policy that does not fit the schema, keeping the current one', async () => {
    const bad = { ...policy('v2'), keywords: [{ id: 'x', phrase: '', category: 'c', severity: 9, match: 'word' }] };
    answers = [{ kind: 'ok', value: { policy: bad as Policy, etag: '"e2"' } }];
    const sync = make();
    expect(await sync.sync()).toBe(false);
    expect(applied).toEqual([]);
    expect(await make().loadStored()).toBe(false);
  });

  it('never keeps a policy the engine cannot use as the last good one', async () => {
    answers = [{ kind: 'ok', value: { policy: policy('v3'), etag: '"e3"' } }];
    const refusing = new PolicySync({
      transport,
      store: new FilePolicyStore(path.join(dir, 'policy.json')),
      log: new MemoryLogger(),
      apply: () => {
        throw new Error('cannot compile');
      },
    });
    expect(await refusing.sync()).toBe(false);
    expect(await make().loadStored()).toBe(false);
  });
});
