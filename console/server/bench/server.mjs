// The console under test, in its own process: set up a school, a DSL, devices and 1,000,000
// captures (direct SQL, one transaction per batch), then listen on a free port and print one JSON
// line for the bench. Run by bench/bench.mjs; not meant to be run by hand. SQLite only (the seeding
// uses the raw connection, app.database.sqlite).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// BENCH_DIST: another build of the console to compare (a folder beside dist/), e.g. dist-old.
const dist = `../${process.env.BENCH_DIST ?? 'dist'}`;
const { buildApp, loadConfig } = require(`${dist}/app.js`);
const { createAccount } = require(`${dist}/services/user-accounts.service.js`);
const { uuidv7 } = require('@vigil/shared');

const CAPTURES = Number(process.env.BENCH_CAPTURES ?? 1_000_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 20);
const BATCH = 50_000;

const config = loadConfig({ ...process.env, VIGIL_LOG_LEVEL: 'silent', VIGIL_LOGIN_RATE_PER_MINUTE: '10000' });
const app = await buildApp(config);
// The bench signs in once as a DSL; a first-sign-in password change is not what it measures.

const school = await app.repos.schools.create('Bench Academy', new Date());
const account = await createAccount(
  app.repos,
  app.secrets,
  { email: 'dsl@bench.sch.uk', grants: [{ role: 'dsl', schoolId: school.id }] },
  new Date(),
);
app.database.sqlite.prepare('UPDATE users SET must_change_password = 0 WHERE id = ?').run(account.user.id);

const devices = [];
for (let i = 0; i < DEVICES; i++) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/agent/v1/enrol',
    payload: { token: school.enrolmentToken, hostname: `laptop-${i}`, os: 'linux', agentVersion: '0.1.0' },
  });
  const body = res.json();
  devices.push({ id: body.deviceId, auth: `Device ${body.deviceId}:${body.deviceSecret}` });
}

// 1,000,000 captures over the last year: a spread of pupils, devices, severities, categories and
// review states, as a busy school's database would hold them.
const seedStarted = performance.now();
const CATEGORIES = [
  ['bullying', 'bullying.nobody-likes-you', 'nobody likes you', 3],
  ['violence', 'violence.stab', 'stab', 3],
  ['drugs', 'drugs.weed', 'weed', 2],
  ['self-harm', 'self-harm.cut-myself', 'cut myself', 4],
  ['suicide', 'suicide.kill-myself', 'kill myself', 5],
  ['profanity', 'profanity.wtf', 'wtf', 2],
];
const STATUSES = ['reviewed', 'reviewed', 'reviewed', 'false_positive', 'new', 'actioned', 'escalated'];
const insert = app.database.sqlite.prepare(
  `INSERT INTO captures (id, school_id, device_id, captured_at, received_at, user_name, source, app, window_title,
     url, context, matches_json, severity, count, policy_version, screenshot_key, screenshot_type,
     screenshot_width, screenshot_height, thumbnail_key, status)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const now = Date.now();
const yearMs = 365 * 86_400_000;
const seedBatch = app.database.sqlite.transaction((from, to) => {
  for (let i = from; i < to; i++) {
    // Oldest first, so ids (uuidv7) and times rise together as they would in life.
    const t = now - yearMs + Math.floor((i / CAPTURES) * yearMs);
    const [category, entryId, phrase, severity] = CATEGORIES[i % CATEGORIES.length];
    const context = `pupil typed something about ${phrase} in a chat window while the lesson went on around them`;
    const start = context.indexOf(phrase);
    const at = new Date(t).toISOString();
    const id = uuidv7(t);
    insert.run(
      id,
      school.id,
      devices[i % devices.length].id,
      at,
      at,
      `pupil${String(i % 1200).padStart(4, '0')}`,
      'typed',
      'chrome',
      'Chat - Google Chrome',
      null,
      context,
      JSON.stringify([{ entryId, phrase, category, severity, start, end: start + phrase.length }]),
      severity,
      1,
      'bench',
      `schools/${school.id}/captures/seed/${id}.webp`,
      'image/webp',
      1366,
      768,
      null,
      STATUSES[i % STATUSES.length],
    );
  }
});
for (let from = 0; from < CAPTURES; from += BATCH) seedBatch(from, Math.min(CAPTURES, from + BATCH));
app.database.sqlite.exec('ANALYZE');
// Copy the seeded rows into the database file and flush them now (synchronous = FULL): otherwise
// the first checkpoint of the capture phase writes back the whole seed, charged to ingest.
app.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
const seedSeconds = (performance.now() - seedStarted) / 1000;

await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address();
process.stdout.write(
  `${JSON.stringify({
    port,
    schoolId: school.id,
    seeded: CAPTURES,
    seedSeconds,
    dsl: { email: account.user.email, password: account.password, totpSecret: account.totpSecret },
    devices,
  })}\n`,
);

// The bench asks for this process's CPU time (all threads: sharp, fsync, the event loop) around each phase.
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
