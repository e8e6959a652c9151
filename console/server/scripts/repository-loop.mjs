// A loop of the repository calls on the console's hot paths, timed (not a test: it asserts nothing).
// Usage: node scripts/repository-loop.mjs [dist dir, default ./dist] — build first (npx tsc -p tsconfig.build.json).
// With VIGIL_DATABASE_URL set it runs on PostgreSQL. Prints microseconds per call sequence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = path.resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
const database = require(path.join(dist, 'db/database.js'));
const storage = require(path.join(dist, 'plugins/storage.plugin.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-loop-'));
const file = path.join(dir, 'loop.sqlite');
let repos;
let close;
if (database.openConsoleDatabase) {
  const db = await database.openConsoleDatabase({
    databasePath: file,
    databaseUrl: process.env.VIGIL_DATABASE_URL || null,
  });
  repos = storage.repositoriesFor(db);
  close = () => db.close();
} else {
  const db = database.openDatabase(file);
  repos = storage.repositoriesFor(db);
  close = () => db.close();
}

const now = new Date();
const school = await repos.schools.create('Loop School', now);
const DEVICES = 1000;
for (let i = 0; i < DEVICES; i++) {
  await repos.devices.insert(
    {
      id: `dev-${i}`,
      schoolId: school.id,
      hostname: `laptop-${i}`,
      os: 'linux',
      osVersion: null,
      agentVersion: '0.1.0',
      secretHash: 'x',
    },
    now,
  );
}

async function time(label, n, fn) {
  for (let i = 0; i < Math.min(500, n); i++) await fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(52)} ${us.toFixed(1).padStart(7)} µs  (${Math.round(1e6 / us)}/s)`);
}

await time('read: devices.byId', 50000, async (i) => {
  await repos.devices.byId(`dev-${i % DEVICES}`);
});

const hb = {
  agentVersion: '0.1.0',
  policyVersion: 'p1',
  queueDepth: 0,
  user: 'pupil01',
  lastCaptureAt: null,
  sentAt: now.toISOString(),
};
await time('heartbeat: devices.byId + recordHeartbeat + byId', 5000, async (i) => {
  const id = `dev-${i % DEVICES}`;
  await repos.devices.byId(id);
  await repos.devices.recordHeartbeat(id, hb, new Date());
  await repos.devices.byId(id);
});

let c = 0;
await time('ingest: captures.byId + insert + devices.touch', 5000, async (i) => {
  const id = `cap-${c++}`;
  const deviceId = `dev-${i % DEVICES}`;
  await repos.devices.byId(deviceId);
  await repos.captures.byId(id);
  await repos.captures.insert({
    id,
    schoolId: school.id,
    deviceId,
    capturedAt: new Date(now.getTime() + i).toISOString(),
    receivedAt: now.toISOString(),
    user: `pupil${i % 300}`,
    source: 'typed',
    app: 'xterm',
    windowTitle: 'Terminal',
    url: null,
    context: 'some text around a match',
    matches: [{ entryId: 'e1', phrase: 'p', category: 'bullying', severity: 3, start: 0, end: 1 }],
    severity: 3,
    count: 1,
    policyVersion: 'p1',
    screenshot: { key: `k${id}`, type: 'image/webp', width: 640, height: 400 },
    thumbnailKey: null,
  });
  await repos.devices.touch(deviceId, new Date());
});

await time('list: captures.search, 50 newest of the school', 2000, async () => {
  await repos.captures.search({ schoolIds: [school.id], limit: 50 });
});

await close();
fs.rmSync(dir, { recursive: true, force: true });
