import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { startServer } from '../server';
import { startHarness } from '../test-support/harness';
import { PURGE_SCHEDULE } from './retention.plugin';

describe('the daily retention purge job', () => {
  it('is left paused by buildApp, so tests and CLI commands never purge by the wall clock', async () => {
    const h = await startHarness();
    try {
      expect(h.app.retentionPurge.getPattern()).toBe(PURGE_SCHEDULE);
      expect(h.app.retentionPurge.isRunning()).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('runs once the console serves (startServer), and stops with it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-retention-serve-'));
    const config = loadConfig(
      { VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent', PORT: '0', VIGIL_HOST: '127.0.0.1' },
      dataDir,
    );
    const running = await startServer(config, {});
    try {
      expect(running.app.retentionPurge.isRunning()).toBe(true);
    } finally {
      await running.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(running.app.retentionPurge.isStopped()).toBe(true);
  });
});
