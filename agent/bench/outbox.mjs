/**
 * Outbox throughput: enqueue, then drain (peekReady + ack), N captures with screenshot-sized
 * payloads through the real SqliteOutbox (WAL, synchronous=FULL, AES-GCM sealed rows).
 * Runs on its own (`node bench/outbox.mjs [count]`) or from run.mjs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(AGENT, 'package.json'));

export const SCREENSHOT_BYTES = 150 * 1024;
export const THUMBNAIL_BYTES = 10 * 1024;

export async function runOutboxBench({ count = 300, dir } = {}) {
  const { SqliteOutbox } = require('./dist/platform/outbox.sqlite.js');
  const { uuidv7 } = require('@vigil/shared');
  const work = dir ?? mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-outbox-'));
  const outbox = SqliteOutbox.open(path.join(work, 'outbox.v1.sqlite'));
  try {
    const captures = Array.from({ length: count }, (_, i) => {
      const now = Date.now() + i;
      return {
        metadata: {
          id: uuidv7(now),
          capturedAt: new Date(now).toISOString(),
          deviceId: 'bench-device',
          user: 'pupil',
          source: 'typed',
          app: 'xterm',
          windowTitle: `Bench window ${i % 7}`,
          url: null,
          matches: [{ entryId: 'scams.free-robux', phrase: 'free robux', category: 'scams', severity: 3, start: 40, end: 50 }],
          context: `${'x'.repeat(40)}free robux${'y'.repeat(80)}`,
          severity: 3,
          count: 1,
          policyVersion: 'bench',
        },
        // Random bytes: WebP does not compress further, and neither would these.
        screenshot: randomBytes(SCREENSHOT_BYTES),
        thumbnail: randomBytes(THUMBNAIL_BYTES),
      };
    });
    const payload = count * (SCREENSHOT_BYTES + THUMBNAIL_BYTES);

    const enqueueStart = performance.now();
    for (const capture of captures) await outbox.enqueue(capture, Date.now());
    const enqueueMs = performance.now() - enqueueStart;

    const drainStart = performance.now();
    let drained = 0;
    let peekMs = 0;
    let firstPeekMs;
    for (;;) {
      const peekStart = performance.now();
      const item = await outbox.peekReady(Date.now() + 1_000);
      const took = performance.now() - peekStart;
      firstPeekMs ??= took;
      peekMs += took;
      if (!item) break;
      await outbox.ack(item.id);
      drained++;
    }
    const drainMs = performance.now() - drainStart;
    if (drained !== count) throw new Error(`drained ${drained} of ${count} captures`);

    const rate = (ms) => ({ capturesPerSecond: count / (ms / 1000), mbPerSecond: payload / 1e6 / (ms / 1000), ms });
    return { count, payloadBytesEach: SCREENSHOT_BYTES + THUMBNAIL_BYTES, enqueue: rate(enqueueMs), drain: { ...rate(drainMs), peekMs, ackMs: drainMs - peekMs, firstPeekMs }, dir: work };
  } finally {
    await outbox.close();
    if (!dir) rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runOutboxBench({ count: Number(process.argv[2] ?? 300) });
  console.log(JSON.stringify(result, null, 2));
}
