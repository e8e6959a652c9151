/**
 * Child processes for the benchmark: every process started here is registered, and `stopAll()`
 * (also run on exit, SIGINT and SIGTERM) ends each one by its pid, so nothing outlives a run.
 */
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const started = new Set();
/** Extra pids to end at the last moment (helpers of the agent seen while it ran). */
const strays = new Set();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command to completion; rejects with its stderr when it fails. */
export async function run(file, args, env = {}, timeoutMs = 60_000) {
  try {
    return await execFileAsync(file, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${error.stderr ?? ''}`);
  }
}

/** Starts a long-running process; `onLine`, when given, receives each line of its stderr. */
export function background(file, args, { env = {}, stdio, onLine } = {}) {
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  if (child.stderr) {
    let partial = '';
    child.stderr.on('data', (chunk) => {
      keep(chunk);
      if (!onLine) return;
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line, Date.now());
    });
  }
  return { child, output: () => tail, stop: () => stop(child) };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stop(child, graceMs = 8_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function rememberStray(pid) {
  strays.add(pid);
}

function killStrays() {
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  strays.clear();
}

/** Ends every process this run started, newest first. */
export async function stopAll() {
  for (const child of [...started].reverse()) await stop(child, 3_000);
  killStrays();
}

function stopAllNow() {
  for (const child of started) child.kill('SIGKILL');
  killStrays();
}

process.once('exit', stopAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every process it started…\n`);
    stopAll().finally(() => process.exit(130));
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns something other than undefined, or throws at the deadline. */
export async function waitFor(what, probe, timeoutMs = 30_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}
