import { DEFAULT_POLICY_SETTINGS } from '@vigil/shared';
import { MemoryLogger } from '../test-support/memory-logger';
import type { ConnectionAttempt } from './agent-status.schema';
import { SnapshotState, connectionOf } from './daemon-snapshot';

const attempt = (over: Partial<ConnectionAttempt>): ConnectionAttempt => ({
  at: '2025-01-06T09:00:00.000Z',
  call: 'upload',
  ok: true,
  code: null,
  httpStatus: 201,
  ...over,
});

const fresh = () =>
  new SnapshotState(
    {
      enrolled: true,
      connection: 'unknown',
      lastUploadAt: null,
      queueDepth: 0,
      policyVersion: null,
      settings: DEFAULT_POLICY_SETTINGS,
    },
    new MemoryLogger(),
  );

describe('the daemon snapshot', () => {
  it('is online when the console answered, offline when it could not be reached or failed', () => {
    expect(connectionOf(attempt({}))).toBe('online');
    expect(connectionOf(attempt({ ok: false, code: 'AGENT_ERR_REQUEST_REJECTED', httpStatus: 400 }))).toBe('online');
    expect(connectionOf(attempt({ ok: false, code: 'AGENT_ERR_CONSOLE_UNREACHABLE', httpStatus: null }))).toBe(
      'offline',
    );
    expect(connectionOf(attempt({ ok: false, code: 'AGENT_ERR_CONSOLE_FAILED', httpStatus: 503 }))).toBe('offline');
    expect(connectionOf(attempt({ ok: false, code: 'AGENT_ERR_CONSOLE_BUSY', httpStatus: 429 }))).toBe('offline');
  });

  it('records the last acknowledged upload, not heartbeats', () => {
    const state = fresh();
    state.recordAttempt(attempt({ call: 'heartbeat', at: '2025-01-06T09:00:00.000Z', httpStatus: 200 }));
    expect(state.get()).toMatchObject({ connection: 'online', lastUploadAt: null });
    state.recordAttempt(attempt({ at: '2025-01-06T09:05:00.000Z' }));
    expect(state.get().lastUploadAt).toBe('2025-01-06T09:05:00.000Z');
    state.recordAttempt(
      attempt({ at: '2025-01-06T09:06:00.000Z', ok: false, code: 'AGENT_ERR_CONSOLE_UNREACHABLE', httpStatus: null }),
    );
    expect(state.get()).toMatchObject({ connection: 'offline', lastUploadAt: '2025-01-06T09:05:00.000Z' });
  });

  it('is no longer enrolled once the console refuses the device, and is again when it accepts it', () => {
    const state = fresh();
    state.recordAttempt(attempt({ ok: false, code: 'AGENT_ERR_DEVICE_UNAUTHORISED', httpStatus: 401 }));
    expect(state.get()).toMatchObject({ enrolled: false, connection: 'online' });
    state.recordAttempt(attempt({ call: 'heartbeat', httpStatus: 200 }));
    expect(state.get().enrolled).toBe(true);
  });

  it('tells listeners about changes only, and stops when unsubscribed', () => {
    const state = fresh();
    let heard = 0;
    const unsubscribe = state.onChange(() => {
      heard += 1;
    });
    state.update({ queueDepth: 0 });
    state.update({ settings: { ...DEFAULT_POLICY_SETTINGS } });
    expect(heard).toBe(0);
    state.update({ queueDepth: 3 });
    state.update({ settings: { ...DEFAULT_POLICY_SETTINGS, trayHidden: true } });
    expect(heard).toBe(2);
    const copy = state.get();
    copy.queueDepth = 99;
    expect(state.get().queueDepth).toBe(3);
    unsubscribe();
    state.update({ queueDepth: 4 });
    expect(heard).toBe(2);
  });
});
