/**
 * `npm run bench` (agent): the agent's budgets, measured on a real X display with the real
 * console and the real agent (agent/dist, console/server/dist must be built).
 *
 *  1. OCR off, idle: CPU and RSS of the daemon without the OCR worker.
 *  2. OCR on, idle: CPU and RSS with the tesseract worker loaded, one static terminal.
 *  3. OCR on, typing: 300 characters a minute of benign text, the window changing every 30 s.
 *  4. OCR on, phrases: time from the key that completes a phrase to `capture.queued`.
 *  5. Outbox throughput (outbox.mjs).
 *
 * Phase lengths: BENCH_IDLE_SECONDS (120), BENCH_NO_OCR_SECONDS (45), BENCH_TYPING_SECONDS (180),
 * BENCH_PHRASES (26), BENCH_OUTBOX_COUNT (300). Results go to stdout and bench/results/;
 * `node bench/run.mjs --report bench/results/FILE.json` prints an earlier run's table again.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDesktop } from './lib/desktop.mjs';
import { ProcSampler, CLK_TCK } from './lib/proc-sampler.mjs';
import { background, freePort, rememberStray, run, sleep, stopAll, waitFor } from './lib/processes.mjs';
import { BENIGN_LINES, PHRASES } from './lib/text.mjs';
import { runOutboxBench } from './outbox.mjs';

const AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(AGENT, '..');
const AGENT_CLI = path.join(AGENT, 'dist', 'cli.js');
const CONSOLE_CLI = path.join(REPO, 'console', 'server', 'dist', 'cli.js');

const seconds = (name, fallback) => Number(process.env[name] ?? fallback);
const IDLE_S = seconds('BENCH_IDLE_SECONDS', 120);
const NO_OCR_S = seconds('BENCH_NO_OCR_SECONDS', 45);
const TYPING_S = seconds('BENCH_TYPING_SECONDS', 180);
const PHRASE_COUNT = Math.min(PHRASES.length, seconds('BENCH_PHRASES', PHRASES.length));
const OUTBOX_COUNT = seconds('BENCH_OUTBOX_COUNT', 300);
const WIDTH = 1920;
const HEIGHT = 1080;
const CHARS_PER_MINUTE = 300;
const WINDOW_SLOT_S = 30;

const TARGETS = { idleCpuPercent: 1, rssNoOcrMb: 150, latencyP95Ms: 500 };

/**
 * Which phrases the agent's stream decides only at the next word, because an allow-listed phrase
 * of the lists the console serves could still follow ("i want to die" before "of embarrassment"),
 * each with the first letter of a next word that rules every such allow-listed phrase out. The
 * keystroke that completes such a phrase is that letter (or, if typing stops, a 1 s pause:
 * TYPING_PAUSE_MS in the engine); the bench times them from that letter.
 */
function phrasesWaitingForNextWord(phrases) {
  const require = createRequire(import.meta.url);
  const { compilePolicy, loadKeywordLists } = require('@vigil/keyword-lists');
  const { KeywordMatcher } = require(path.join(AGENT, 'dist', 'core', 'keyword-matcher.js'));
  const { policy } = compilePolicy(loadKeywordLists());
  const matcher = new KeywordMatcher(policy.keywords, policy.exclusions);
  const waiting = new Map();
  for (const phrase of phrases) {
    if (matcher.stream().push(`${phrase} `).length > 0) continue;
    const letter = [...'xqzjkvwybcdfghlmnprst'].find((c) => matcher.stream().push(`${phrase} ${c}`).length > 0);
    if (!letter) throw new Error(`no next letter decides a bench phrase (${phrase.length} characters)`);
    waiting.set(phrase, letter);
  }
  return waiting;
}

const MB = 1024 * 1024;
const log = (text) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** The daemon as a child process, with its stderr log lines parsed as they arrive. */
function startAgent(agentEnv, extraEnv) {
  const events = [];
  const waiters = new Set();
  const agent = background('node', [AGENT_CLI, 'run'], {
    env: { ...agentEnv, ...extraEnv },
    onLine(line, receivedAt) {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      event.receivedAt = receivedAt;
      events.push(event);
      for (const waiter of waiters) waiter(event);
    },
  });
  /** Resolves with the first event (from now on) that `predicate` accepts; undefined on timeout. */
  const next = (predicate, timeoutMs) =>
    new Promise((resolve) => {
      const done = (value) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(value);
      };
      const waiter = (event) => predicate(event) && done(event);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      waiters.add(waiter);
    });
  return { ...agent, events, next };
}

async function waitUntilListening(agent, agentEnv, dataDir) {
  await waitFor(
    'the agent to listen to the keyboard with the console policy',
    async () => {
      if (agent.child.exitCode !== null) throw new Error(`the agent exited:\n${agent.output()}`);
      const status = JSON.parse((await run('node', [AGENT_CLI, 'status', '--json'], agentEnv)).stdout);
      return status.running && status.keyboard === 'listening' && existsSync(path.join(dataDir, 'policy.json'))
        ? true
        : undefined;
    },
    60_000,
    500,
  );
}

async function main() {
  for (const file of [AGENT_CLI, CONSOLE_CLI]) {
    if (!existsSync(file)) throw new Error(`${path.relative(REPO, file)} is missing: build it first (npm run build).`);
  }
  const startedAt = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version, clockTicks: CLK_TCK },
    screen: `${WIDTH}x${HEIGHT}x24 (Xvfb)`,
  };
  try {
    log(`work dir ${work}`);
    const desktop = await startDesktop(WIDTH, HEIGHT);
    log(`Xvfb on ${desktop.display}`);

    // The console, and a school whose enrolment token the agent uses.
    const port = await freePort();
    const consoleUrl = `http://127.0.0.1:${port}`;
    const consoleEnv = { VIGIL_DATA_DIR: path.join(work, 'console'), VIGIL_LOG_LEVEL: 'warn' };
    background('node', [CONSOLE_CLI, 'serve'], { env: { ...consoleEnv, PORT: String(port), VIGIL_HOST: '127.0.0.1' } });
    await waitFor('the console /health', async () => ((await fetch(`${consoleUrl}/health`)).ok ? true : undefined));
    const school = JSON.parse(
      (await run('node', [CONSOLE_CLI, 'create-school', '--name', 'Bench Academy', '--json'], consoleEnv)).stdout,
    );
    const dataDir = path.join(work, 'agent');
    const agentEnv = { VIGIL_AGENT_DATA_DIR: dataDir, DISPLAY: desktop.display, VIGIL_LOG_LEVEL: 'info' };
    await run('node', [AGENT_CLI, 'enrol', '--console', consoleUrl, '--token', school.enrolmentToken], agentEnv);
    log(`console on ${consoleUrl}, agent enrolled`);

    const notes = await desktop.openTerminal('Science notes', '100x30+40+40');
    const chat = await desktop.openTerminal('Class chat', '100x30+900+300');
    await desktop.focus(notes);

    // ── 1. OCR off, idle ──────────────────────────────────────────────────────────────────
    {
      const agent = startAgent(agentEnv, { VIGIL_OCR: 'off' });
      await waitUntilListening(agent, agentEnv, dataDir);
      const sampler = new ProcSampler(agent.child.pid, rememberStray).start();
      log(`OCR off: agent up (pid ${agent.child.pid}); settling 10 s, then idle ${NO_OCR_S} s`);
      await sleep(10_000);
      const from = sampler.mark();
      await sleep(NO_OCR_S * 1000);
      results.idleNoOcr = sampler.summarise(from, sampler.mark());
      sampler.stop();
      await agent.stop();
    }

    // ── 2–4. OCR on ───────────────────────────────────────────────────────────────────────
    const agent = startAgent(agentEnv, { VIGIL_OCR: 'on' });
    await waitUntilListening(agent, agentEnv, dataDir);
    const sampler = new ProcSampler(agent.child.pid, rememberStray).start();
    log(`OCR on: agent up (pid ${agent.child.pid}); waiting for the OCR worker`);
    const worker = agent.events.find((e) => e.event === 'ocr.worker_started') ??
      (await agent.next((e) => e.event === 'ocr.worker_started', 60_000));
    results.ocrWorkerStartMs = worker?.ms ?? null;
    await sleep(10_000);

    log(`idle ${IDLE_S} s`);
    let from = sampler.mark();
    await sleep(IDLE_S * 1000);
    results.idleOcr = sampler.summarise(from, sampler.mark());

    log(`typing ${TYPING_S} s at ${CHARS_PER_MINUTE} characters a minute, window change every ${WINDOW_SLOT_S} s`);
    const capturesBefore = agent.events.filter((e) => e.event === 'capture.queued').length;
    from = sampler.mark();
    const typed = await typeForAWhile(desktop, [notes, chat], TYPING_S);
    results.typingOcr = {
      ...sampler.summarise(from, sampler.mark()),
      charactersTyped: typed.characters,
      charactersPerMinute: typed.ms > 0 ? typed.characters / (typed.ms / 60_000) : 0,
      windowChanges: typed.windowChanges,
      capturesQueued: agent.events.filter((e) => e.event === 'capture.queued').length - capturesBefore,
    };

    log(`${PHRASE_COUNT} phrases`);
    await desktop.focus(notes);
    // End the line the typing phase left half-typed, so the first phrase starts a word.
    await desktop.xdotool('key', 'Return');
    await sleep(2_000);
    from = sampler.mark();
    const phrases = PHRASES.slice(0, PHRASE_COUNT);
    results.latency = await measureLatency(desktop, agent, phrases, phrasesWaitingForNextWord(phrases));
    results.latency.cpu = sampler.summarise(from, sampler.mark());
    results.latency.screenshotBytes = await screenshotSizes(consoleEnv, school.id);
    results.agentErrors = agent.events.filter((e) => e.level === 'error' || e.level === 'warn').map((e) => e.event);
    sampler.stop();
    await agent.stop();

    // ── 5. Outbox ─────────────────────────────────────────────────────────────────────────
    log(`outbox: ${OUTBOX_COUNT} captures`);
    results.outbox = await runOutboxBench({ count: OUTBOX_COUNT });
    delete results.outbox.dir;
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
  results.runSeconds = (Date.now() - startedAt) / 1000;
  report(results);
  const dir = path.join(AGENT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${results.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results in ${path.relative(REPO, file)}`);
}

/** Benign text at CHARS_PER_MINUTE, one window for WINDOW_SLOT_S, then the other. */
async function typeForAWhile(desktop, windows, totalSeconds) {
  const perSlot = Math.round((CHARS_PER_MINUTE * WINDOW_SLOT_S) / 60);
  const delayMs = Math.floor(60_000 / CHARS_PER_MINUTE) - 10; // xdotool adds a little per key
  const started = Date.now();
  let characters = 0;
  let windowChanges = 0;
  let line = 0;
  let column = 0;
  const slots = Math.round(totalSeconds / WINDOW_SLOT_S);
  for (let slot = 0; slot < slots; slot++) {
    const slotEnd = started + (slot + 1) * WINDOW_SLOT_S * 1000;
    if (slot > 0) windowChanges++;
    await desktop.focus(windows[slot % windows.length]);
    let left = perSlot;
    while (left > 0 && Date.now() < slotEnd) {
      const text = BENIGN_LINES[line % BENIGN_LINES.length];
      const piece = text.slice(column, column + left);
      await desktop.xdotool('type', '--delay', String(delayMs), piece);
      characters += piece.length;
      left -= piece.length;
      column += piece.length;
      if (column >= text.length && left > 0) {
        await desktop.xdotool('key', 'Return');
        characters++;
        left--;
        line++;
        column = 0;
        await sleep(delayMs);
      }
    }
    await sleep(Math.max(0, slotEnd - Date.now()));
  }
  return { characters, ms: Date.now() - started, windowChanges };
}

/**
 * Types each phrase, then the key that completes it (the space, or for a phrase an allow-listed
 * phrase could extend, the space and then the next word's first letter that rules it out); the
 * clock starts just before that key
 * is sent and stops at the `time` of the daemon's `capture.queued` (source "typed") log line.
 */
async function measureLatency(desktop, agent, phrases, waiting) {
  const samples = [];
  const outcomes = [];
  for (const phrase of phrases) {
    const typingFrom = Date.now();
    await desktop.xdotool('type', '--delay', '60', phrase);
    const decidingLetter = waiting.get(phrase);
    if (decidingLetter) await desktop.xdotool('key', 'space');
    const queued = agent.next((e) => e.event === 'capture.queued' && e.source === 'typed', 8_000);
    const sentAt = Date.now();
    await desktop.xdotool('key', decidingLetter ?? 'space');
    const event = await queued;
    if (event) {
      const ms = Date.parse(event.time) - sentAt;
      samples.push({ ms, readMs: event.receivedAt - sentAt, waits: waiting.has(phrase) });
      outcomes.push({ phrase, ms, waitsForNextWord: waiting.has(phrase) });
    } else {
      // Not captured as typed: say what the agent did instead (an OCR capture of the phrase on
      // screen before its last key folds the typed one into it, by the 60 s throttle).
      const since = agent.events.filter((e) => e.receivedAt >= typingFrom && /^capture\./.test(e.event));
      outcomes.push({ phrase, ms: null, events: since.map((e) => `${e.event}${e.source ? `:${e.source}` : ''}`) });
    }
    await desktop.xdotool('key', 'Return');
    await sleep(1_500);
  }
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const atKey = samples.filter((s) => !s.waits).map((s) => s.ms).sort((a, b) => a - b);
  const atNextWord = samples.filter((s) => s.waits).map((s) => s.ms).sort((a, b) => a - b);
  return {
    atKey: { phrases: phrases.filter((p) => !waiting.has(p)).length, measured: atKey.length, p50: percentile(atKey, 50), p95: percentile(atKey, 95), max: atKey.at(-1) ?? NaN },
    atNextWord: { phrases: waiting.size, measured: atNextWord.length, p50: percentile(atNextWord, 50), max: atNextWord.at(-1) ?? NaN },
    phrases: phrases.length,
    measured: samples.length,
    missed: phrases.length - samples.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? NaN,
    min: sorted[0] ?? NaN,
    samplesMs: samples.map((s) => s.ms),
    logReadLagMs: Math.max(0, ...samples.map((s) => s.readMs - s.ms)),
    outcomes,
  };
}

/** Sizes of the screenshots the console received (a check on the outbox benchmark's payload). */
async function screenshotSizes(consoleEnv, schoolId) {
  await sleep(3_000); // let the uploader deliver the last captures
  const captures = JSON.parse(
    (await run('node', [CONSOLE_CLI, 'export-captures', '--school', schoolId, '--json'], consoleEnv)).stdout,
  );
  const sizes = captures.map((c) => statSync(c.screenshotPath).size).sort((a, b) => a - b);
  return { uploaded: sizes.length, median: percentile(sizes, 50), max: sizes.at(-1) ?? 0 };
}

function report(r) {
  const pct = (n) => `${n.toFixed(2)} %`;
  const mb = (n) => `${(n / MB).toFixed(1)} MiB`;
  const ms = (n) => `${Math.round(n)} ms`;
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const cpuDetail = (s) =>
    `daemon ${s.cpuBreakdown.daemon.toFixed(2)}, reaped helpers ${s.cpuBreakdown.reapedChildren.toFixed(2)}, key helper ${s.cpuBreakdown.liveHelpers.toFixed(2)}; worst second ${s.cpuPerSecondMax.toFixed(1)} %`;
  const rssNoOcr = r.idleNoOcr.rssTotal.max;
  const rows = [
    ['Idle CPU, OCR on (% of one core)', pct(r.idleOcr.cpuPercent), `< ${TARGETS.idleCpuPercent} %`, verdict(r.idleOcr.cpuPercent < TARGETS.idleCpuPercent), cpuDetail(r.idleOcr)],
    ['Idle CPU, OCR off', pct(r.idleNoOcr.cpuPercent), '-', '', cpuDetail(r.idleNoOcr)],
    ['Typing CPU, OCR on', pct(r.typingOcr.cpuPercent), '-', '', `${cpuDetail(r.typingOcr)}; ${Math.round(r.typingOcr.charactersPerMinute)} chars/min, ${r.typingOcr.windowChanges} window changes, ${r.typingOcr.capturesQueued} captures`],
    ['RSS, OCR off (max, daemon + key helper)', mb(rssNoOcr), `< ${TARGETS.rssNoOcrMb} MiB`, verdict(rssNoOcr < TARGETS.rssNoOcrMb * MB), `daemon max ${mb(r.idleNoOcr.rssDaemon.max)} mean ${mb(r.idleNoOcr.rssDaemon.mean)}; key helper ${mb(r.idleNoOcr.rssHelper.max)}`],
    ['RSS, OCR on, idle (max)', mb(r.idleOcr.rssTotal.max), '-', '', `daemon mean ${mb(r.idleOcr.rssDaemon.mean)}`],
    ['RSS, OCR on, typing (max)', mb(r.typingOcr.rssTotal.max), '-', '', `daemon mean ${mb(r.typingOcr.rssDaemon.mean)}`],
    ['Phrase to queued p50', ms(r.latency.p50), '-', '', `${r.latency.measured}/${r.latency.phrases} phrases, ${r.latency.missed} missed`],
    ['Phrase to queued p95', ms(r.latency.p95), `< ${TARGETS.latencyP95Ms} ms`, verdict(r.latency.p95 < TARGETS.latencyP95Ms && r.latency.missed === 0), `at ${WIDTH}x${HEIGHT}`],
    ['Phrase to queued max', ms(r.latency.max), '-', '', `CPU meanwhile ${pct(r.latency.cpu.cpuPercent)}; screenshots median ${(r.latency.screenshotBytes.median / 1024).toFixed(0)} KB`],
    ...(r.latency.atKey
      ? [
          ['  p95, phrases decided at the space', ms(r.latency.atKey.p95), `< ${TARGETS.latencyP95Ms} ms`, verdict(r.latency.atKey.p95 < TARGETS.latencyP95Ms && r.latency.atKey.measured === r.latency.atKey.phrases), `${r.latency.atKey.measured}/${r.latency.atKey.phrases} phrases; p50 ${ms(r.latency.atKey.p50)}, max ${ms(r.latency.atKey.max)}`],
          ['  phrases decided at the next word', ms(r.latency.atNextWord.p50), '-', '', `p50; ${r.latency.atNextWord.measured}/${r.latency.atNextWord.phrases} phrases, max ${ms(r.latency.atNextWord.max)}; timed from the next word's first letter, which decides them`],
        ]
      : []),
    ['Outbox enqueue', `${r.outbox.enqueue.capturesPerSecond.toFixed(0)} captures/s`, '-', '', `${r.outbox.enqueue.mbPerSecond.toFixed(1)} MB/s, ${r.outbox.count} x ${(r.outbox.payloadBytesEach / 1024).toFixed(0)} KB`],
    ['Outbox drain (peekReady + ack)', `${r.outbox.drain.capturesPerSecond.toFixed(0)} captures/s`, '-', '', `${r.outbox.drain.mbPerSecond.toFixed(1)} MB/s; first peekReady (${r.outbox.count} queued) ${r.outbox.drain.firstPeekMs.toFixed(1)} ms`],
  ];
  const header = ['figure', 'measured', 'target', 'result', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const out = [
    '',
    `Vigil agent budgets — ${r.machine.cpus} x ${r.machine.model}, Node ${r.machine.node}, ${r.screen}, run ${Math.round(r.runSeconds)} s`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  if (r.agentErrors.length > 0) out.push(`agent warnings/errors: ${r.agentErrors.join(', ')}`, '');
  process.stdout.write(out.join('\n'));
}

if (process.argv[2] === '--report') {
  // Prints the table of an earlier run: node bench/run.mjs --report bench/results/FILE.json
  report(JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')));
} else {
  main().catch(async (error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    await stopAll();
    process.exit(1);
  });
}

