#!/usr/bin/env node
// @ts-check
// vigil-agent-setup (root; postinst runs it): writes /etc/vigil/agent.json from
// VIGIL_CONSOLE_URL / VIGIL_ENROLMENT_TOKEN (or takes the file as the admin wrote it) and enrols
// the machine once with the console. Offline, it keeps the token so that each user's session
// enrols when the console can be reached. Never prints the token.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {
  CONFIG_FILE,
  MACHINE_DIR,
  MACHINE_CREDENTIALS,
  NODE,
  CLI,
  validateMachineConfig,
  agentEnv,
} = require('./machine-config.js');

const say = (line) => process.stderr.write(`vigil-agent-setup: ${line}\n`);

function writeConfig(config) {
  fs.mkdirSync(path.dirname(CONFIG_FILE), { recursive: true, mode: 0o755 });
  fs.writeFileSync(`${CONFIG_FILE}.tmp`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  fs.renameSync(`${CONFIG_FILE}.tmp`, CONFIG_FILE);
}

function main() {
  let raw = {};
  if (fs.existsSync(CONFIG_FILE)) {
    try {
      raw = JSON.parse(fs.readFileSync(CONFIG_FILE, 'utf8'));
    } catch {
      say(`${CONFIG_FILE} is not valid JSON: fix it, then run: dpkg --configure -a`);
      return 1;
    }
  }
  const env = process.env;
  if (env.VIGIL_CONSOLE_URL) raw = { ...raw, consoleUrl: env.VIGIL_CONSOLE_URL };
  if (env.VIGIL_ENROLMENT_TOKEN) raw = { ...raw, enrolmentToken: env.VIGIL_ENROLMENT_TOKEN };
  if (raw.consoleUrl === undefined && raw.enrolmentToken === undefined) {
    say(
      `not configured yet: write ${CONFIG_FILE} ({"consoleUrl": "...", "enrolmentToken": "..."}) ` +
        'and run vigil-agent-setup, or reinstall with VIGIL_CONSOLE_URL and VIGIL_ENROLMENT_TOKEN set.',
    );
    return 0;
  }
  let config;
  try {
    config = validateMachineConfig(
      raw,
      env.VIGIL_CONSOLE_URL ? 'VIGIL_CONSOLE_URL / VIGIL_ENROLMENT_TOKEN' : CONFIG_FILE,
    );
  } catch (error) {
    say(`${error.message}. Nothing was changed.`);
    return 1;
  }
  fs.mkdirSync(MACHINE_DIR, { recursive: true, mode: 0o755 });
  let enrolled = null;
  try {
    enrolled = JSON.parse(fs.readFileSync(MACHINE_CREDENTIALS, 'utf8'));
  } catch {
    // not enrolled
  }
  const sameConsole = enrolled !== null && enrolled.consoleUrl === config.consoleUrl;
  // A token in the environment or the file means "enrol (again)"; once used it is removed.
  if (sameConsole && !config.enrolmentToken) {
    delete config.enrolmentToken;
    writeConfig(config);
    say(`already enrolled as device ${enrolled.deviceId} with ${config.consoleUrl}`);
    return 0;
  }
  if (!config.enrolmentToken) {
    writeConfig(config);
    say(`no enrolment token: set enrolmentToken in ${CONFIG_FILE} and run vigil-agent-setup`);
    return 0;
  }
  const work = fs.mkdtempSync(path.join(MACHINE_DIR, '.enrol-'));
  try {
    const result = spawnSync(
      NODE,
      [CLI, 'enrol', '--console', config.consoleUrl, '--token', config.enrolmentToken, '--force', '--json'],
      { env: { ...agentEnv(config, work), VIGIL_LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000 },
    );
    if (result.status === 0) {
      const credentials = fs.readFileSync(path.join(work, 'credentials.json'));
      // Each desktop user's agent runs as that user and reads this device identity.
      fs.writeFileSync(`${MACHINE_CREDENTIALS}.tmp`, credentials, { mode: 0o644 });
      fs.chmodSync(`${MACHINE_CREDENTIALS}.tmp`, 0o644);
      fs.renameSync(`${MACHINE_CREDENTIALS}.tmp`, MACHINE_CREDENTIALS);
      delete config.enrolmentToken;
      writeConfig(config);
      const device = JSON.parse(result.stdout);
      say(`enrolled this machine as device ${device.deviceId} in ${device.schoolName} (${config.consoleUrl})`);
      return 0;
    }
    let reason = `exit ${result.status}`;
    try {
      reason = JSON.parse(result.stdout).code;
    } catch {
      // not JSON
    }
    writeConfig(config);
    if (reason === 'AGENT_ERR_ENROLMENT_REJECTED' || reason === 'AGENT_ERR_USAGE') {
      say(`the console refused the enrolment token (${reason}); fix ${CONFIG_FILE} and run vigil-agent-setup`);
    } else {
      say(`could not enrol now (${reason}); each user's session will enrol when the console can be reached`);
    }
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
