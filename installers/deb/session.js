#!/usr/bin/env node
// @ts-check
// vigil-agent-session: what the XDG autostart entry runs in each desktop session. It enrols this
// user's agent (with the machine's enrolment, or the enrolment token in /etc/vigil/agent.json),
// then runs the headless agent and starts it again if it stops, until the session ends or the
// package is removed (prerm sends SIGTERM). Logs go to stderr (the session's log); never the
// token, never captured text.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { readMachineConfig, agentEnv, CLI, NODE, MACHINE_CREDENTIALS } = require('./machine-config.js');

const log = (event, fields = {}) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);

function dataDir() {
  const xdg = process.env.XDG_DATA_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'vigil-agent');
}

/** One session per user: a pid file in the data dir, taken over when its process is gone. */
function takeLock(dir) {
  const file = path.join(dir, 'session.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid > 0 && pid !== process.pid) {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('vigil-agent-session')) return false;
    }
  } catch {
    // no pid file, or its process is gone
  }
  fs.writeFileSync(file, String(process.pid), { mode: 0o600 });
  return true;
}

/** Makes sure this user's agent has device credentials; false when it cannot (yet). */
function ensureEnrolled(dir, config) {
  const own = path.join(dir, 'credentials.json');
  // The machine was enrolled at install: every session uses that device identity (again after a
  // re-enrolment of the machine).
  let machine = null;
  try {
    machine = fs.readFileSync(MACHINE_CREDENTIALS, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT' && error.code !== 'EACCES') throw error;
  }
  if (machine !== null) {
    const deviceOf = (text) => {
      try {
        return JSON.parse(text).deviceId;
      } catch {
        return undefined;
      }
    };
    let current = null;
    try {
      current = fs.readFileSync(own, 'utf8');
    } catch {
      // not enrolled yet
    }
    if (current === null || deviceOf(current) !== deviceOf(machine)) {
      fs.writeFileSync(`${own}.tmp`, machine, { mode: 0o600 });
      fs.renameSync(`${own}.tmp`, own);
      log('session.enrolled', { from: 'machine', deviceId: deviceOf(machine) });
    }
    return true;
  }
  if (fs.existsSync(own)) return true;
  if (!config.enrolmentToken) {
    log('session.not_enrolled', {
      hint: 'set enrolmentToken in /etc/vigil/agent.json or reinstall with VIGIL_ENROLMENT_TOKEN',
    });
    return false;
  }
  const result = spawnSync(NODE, [CLI, 'enrol', '--console', config.consoleUrl, '--token', config.enrolmentToken], {
    env: agentEnv(config, dir),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  log('session.enrol', { ok: result.status === 0 });
  return result.status === 0;
}

async function main() {
  const dir = dataDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!takeLock(dir)) {
    log('session.already_running', {});
    return;
  }
  let child = null;
  let stopping = false;
  let wake = () => {};
  const stop = () => {
    stopping = true;
    if (child && child.exitCode === null) child.kill('SIGTERM');
    wake();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  const sleep = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });

  let backoffMs = 1_000;
  while (!stopping) {
    let config;
    try {
      config = readMachineConfig();
    } catch (error) {
      log('session.config_invalid', { message: error.message });
      await sleep(60_000);
      continue;
    }
    if (!ensureEnrolled(dir, config)) {
      await sleep(60_000);
      continue;
    }
    const startedAt = Date.now();
    child = spawn(NODE, [CLI, 'run'], { env: agentEnv(config, dir), stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
    if (stopping) break;
    // A crash starts it again, sooner when it had been running a while.
    if (Date.now() - startedAt > 60_000) backoffMs = 1_000;
    log('session.agent_exited', { code, restartInMs: backoffMs });
    await sleep(backoffMs);
    backoffMs = Math.min(backoffMs * 2, 60_000);
  }
  try {
    fs.unlinkSync(path.join(dir, 'session.pid'));
  } catch {
    // already gone
  }
  log('session.stopped', {});
}

main().catch((error) => {
  log('session.failed', { message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
