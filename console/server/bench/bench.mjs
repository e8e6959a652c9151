// `npm run bench`: the console's speed on this machine, against a real listening server (its own
// process, a temp data dir, 1,000,000 captures seeded by SQL). Prints captures ingested per second
// with ~150 KB screenshots, heartbeats per second, and the captures list's p50/p95/p99.
// Targets (2 cores): >= 300 captures/s, >= 5,000 heartbeats/s, list p95 < 50 ms.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { uuidv7 } = require('@vigil/shared');
const { authenticator } = require('otplib');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_WARMUP_SECONDS: the same load first, not counted (the JIT compiles the hot paths of a fresh
// process meanwhile: about 8% of the console's CPU in a 10 s capture phase). Default 0, as measured before.
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 0);
const here = path.dirname(new URL(import.meta.url).pathname);

/** A screenshot-like image (text lines, a photo-like band) of about `target` bytes in `format`. */
async function screenshot(format, target) {
  const width = 1366;
  const height = 768;
  const lines = Array.from(
    { length: 30 },
    (_, i) =>
      `<text x="24" y="${30 + i * 24}" font-family="sans-serif" font-size="16" fill="#222">` +
      `Line ${i}: the quick brown fox jumps over the lazy dog — Year 9 English, Macbeth Act ${i % 5}</text>`,
  ).join('');
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#f4f6f8"/>${lines}</svg>`,
  );
  let best;
  for (let band = 8; band <= 768; band += 8) {
    // Noise stands in for a photo on screen: it is what makes real screenshots big.
    const noise = Buffer.alloc(width * band * 3);
    // PNG compresses noise worse than WebP: milder noise keeps both near the target size.
    for (let i = 0; i < noise.length; i++) {
      noise[i] = format === 'png' ? 200 + ((Math.random() * 24) | 0) : (Math.random() * 256) | 0;
    }
    const img = sharp(svg).composite([
      { input: noise, raw: { width, height: band, channels: 3 }, top: height - band, left: 0 },
    ]);
    const bytes = await (
      format === 'png' ? img.png({ compressionLevel: 9, palette: true, colours: 64 }) : img.webp({ quality: 80 })
    ).toBuffer();
    best = bytes;
    if (bytes.length >= target) break;
  }
  return best;
}

function multipart(boundary, metadata, shot, shotType, thumb) {
  const head = (name, extra = '') => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n`;
  return Buffer.concat([
    Buffer.from(`${head('metadata')}\r\n${metadata}\r\n`),
    Buffer.from(`${head('screenshot', `; filename="shot.${shotType}"`)}Content-Type: image/${shotType}\r\n\r\n`),
    shot,
    Buffer.from(`\r\n${head('thumbnail', '; filename="thumb.webp"')}Content-Type: image/webp\r\n\r\n`),
    thumb,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The console's CPU time so far (user + system, ms), asked over IPC. */
async function serverCpu() {
  server.send('cpu');
  const [m] = await once(server, 'message');
  return { user: m.cpu.user / 1000, system: m.cpu.system / 1000 };
}

/**
 * Runs autocannon and returns requests/s of 2xx answers, exact latency percentiles (ms) and the
 * console's CPU time per request: the machine is shared, so CPU per request says more than
 * requests per second about what two idle cores would do.
 */
async function run(name, opts) {
  if (WARMUP > 0) await autocannon({ duration: WARMUP, ...opts });
  const latencies = [];
  const cpuBefore = await serverCpu();
  const instance = autocannon({ duration: SECONDS, ...opts });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status < 300) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  const cpuAfter = await serverCpu();
  const cpuUserMs = (cpuAfter.user - cpuBefore.user) / Math.max(1, ok);
  const cpuSystemMs = (cpuAfter.system - cpuBefore.system) / Math.max(1, ok);
  const cpuMs = cpuUserMs + cpuSystemMs;
  return {
    name,
    connections: opts.connections,
    seconds: result.duration,
    ok,
    errors: result.non2xx + result.errors + result.timeouts,
    perSecond: ok / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    cpuMs,
    cpuUserMs,
    cpuSystemMs,
    /** What two cores would serve if this process had them to itself. */
    twoCoreCapacity: 2000 / cpuMs,
  };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
// BENCH_SERVER_ARGS: extra node flags for the console under test (e.g. --cpu-prof).
const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [...serverArgs, path.join(here, 'server.mjs')], {
  env: { ...process.env, VIGIL_DATA_DIR: dataDir },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const cleanup = () => {
  server.kill('SIGTERM');
};
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));

try {
  console.log(`Seeding the console (1,000,000 captures by SQL) in ${dataDir} ...`);
  const [line] = await Promise.race([
    once(createInterface({ input: server.stdout }), 'line'),
    once(server, 'exit').then(([code]) => {
      throw new Error(`the console under test exited (${code}) before listening`);
    }),
  ]);
  const setup = JSON.parse(line);
  const base = `http://127.0.0.1:${setup.port}`;
  console.log(
    `Seeded ${setup.seeded.toLocaleString('en-GB')} captures in ${setup.seedSeconds.toFixed(1)} s; listening on ${base}`,
  );

  const [webp, png] = await Promise.all([screenshot('webp', 150 * 1024), screenshot('png', 150 * 1024)]);
  // The agent's thumbnail: the screenshot at 320 wide.
  const thumb = await sharp(webp).resize(320).webp({ quality: 70 }).toBuffer();
  console.log(
    `Screenshots: WebP ${(webp.length / 1024).toFixed(0)} KB, PNG ${(png.length / 1024).toFixed(0)} KB (1366×768), thumbnail ${(thumb.length / 1024).toFixed(0)} KB`,
  );

  const results = [];
  let n = 0;
  const boundary = 'vigil-bench-boundary-7f3a9c';
  const only = process.env.BENCH_ONLY; // captures | heartbeats | list
  if (!only || only === 'captures')
    results.push(
      await run('captures ingested (POST /api/agent/v1/captures)', {
        url: base,
        connections: 16,
        requests: [
          {
            method: 'POST',
            path: '/api/agent/v1/captures',
            setupRequest: (req) => {
              const device = setup.devices[n % setup.devices.length];
              const usePng = n % 2 === 1;
              n += 1;
              // Half severity 5 (never grouped), half severity 3 (grouping looked up, groups formed).
              const five = n % 2 === 0;
              const [entryId, phrase, category, severity] = five
                ? ['suicide.kill-myself', 'kill myself', 'suicide', 5]
                : ['violence.stab', 'stab him', 'violence', 3];
              const context = `i want to ${phrase} tonight`;
              const metadata = JSON.stringify({
                id: uuidv7(),
                capturedAt: new Date().toISOString(),
                deviceId: device.id,
                user: `pupil${n % 900}`,
                source: 'typed',
                app: 'chrome',
                windowTitle: 'Chat - Google Chrome',
                url: null,
                matches: [{ entryId, phrase, category, severity, start: 10, end: 10 + phrase.length }],
                context,
                severity,
                count: 1,
                policyVersion: 'bench',
              });
              return {
                ...req,
                headers: {
                  authorization: device.auth,
                  'content-type': `multipart/form-data; boundary=${boundary}`,
                },
                body: multipart(boundary, metadata, usePng ? png : webp, usePng ? 'png' : 'webp', thumb),
              };
            },
          },
        ],
      }),
    );

  let h = 0;
  if (!only || only === 'heartbeats')
    results.push(
      await run('heartbeats (POST /api/agent/v1/heartbeat)', {
        url: base,
        connections: 32,
        requests: [
          {
            method: 'POST',
            path: '/api/agent/v1/heartbeat',
            setupRequest: (req) => {
              const device = setup.devices[h++ % setup.devices.length];
              return {
                ...req,
                headers: { authorization: device.auth, 'content-type': 'application/json' },
                body: JSON.stringify({
                  agentVersion: '0.1.0',
                  policyVersion: 'bench',
                  queueDepth: 0,
                  user: 'pupil0001',
                  lastCaptureAt: null,
                  sentAt: new Date().toISOString(),
                }),
              };
            },
          },
        ],
      }),
    );

  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: setup.dsl.email,
      password: setup.dsl.password,
      totp: authenticator.generate(setup.dsl.totpSecret),
    }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const listed = await fetch(`${base}/api/captures`, { headers: { cookie } });
  const page = await listed.json();
  if (listed.status !== 200 || page.items.length !== 50) throw new Error(`list failed: ${listed.status}`);
  for (const connections of !only || only === 'list' ? [1, 8] : []) {
    results.push(
      await run(`captures list (GET /api/captures, first page of 50)`, {
        url: `${base}/api/captures`,
        connections,
        headers: { cookie },
      }),
    );
  }

  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  console.log('');
  console.log(
    `| What | Connections | OK | Errors | Per second | p50 ms | p95 ms | p99 ms | Server CPU ms/request (user + system) | 2 idle cores, /s |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.connections} | ${r.ok} | ${r.errors} | ${r.perSecond.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.cpuMs.toFixed(2)} (${r.cpuUserMs.toFixed(2)} + ${r.cpuSystemMs.toFixed(2)}) | ${r.twoCoreCapacity.toFixed(0)} |`,
    );
  }
  const find = (prefix, connections) =>
    results.find((r) => r.name.startsWith(prefix) && (connections === undefined || r.connections === connections));
  const captures = find('captures ingested');
  const heartbeats = find('heartbeats');
  const list1 = find('captures list', 1);
  console.log('');
  if (captures)
    console.log(
      `Target: >= 300 captures/s: ${captures.perSecond >= 300 ? 'met' : 'NOT met'} (${captures.perSecond.toFixed(0)}/s)`,
    );
  if (heartbeats)
    console.log(
      `Target: >= 5,000 heartbeats/s: ${heartbeats.perSecond >= 5000 ? 'met' : 'NOT met'} (${heartbeats.perSecond.toFixed(0)}/s)`,
    );
  if (list1)
    console.log(
      `Target: list p95 < 50 ms with ${setup.seeded.toLocaleString('en-GB')} captures: ${list1.p95 < 50 ? 'met' : 'NOT met'} (${fmt(list1.p95)} ms)`,
    );
  console.log(
    `Load average while benchmarking: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores`,
  );
  if (process.env.BENCH_JSON)
    fs.writeFileSync(
      process.env.BENCH_JSON,
      JSON.stringify(
        { setup: { seeded: setup.seeded, seedSeconds: setup.seedSeconds, cpus: os.cpus().length }, results },
        null,
        2,
      ),
    );
} finally {
  cleanup();
}
