// @ts-check
// /etc/vigil/agent.json, the machine's configuration, read by the session and by setup.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const PREFIX = path.resolve(__dirname, '..');
const CONFIG_FILE = '/etc/vigil/agent.json';
const MACHINE_DIR = '/var/lib/vigil-agent';
const MACHINE_CREDENTIALS = path.join(MACHINE_DIR, 'credentials.json');
const NODE = path.join(PREFIX, 'node', 'bin', 'node');
const CLI = path.join(PREFIX, 'app', 'node_modules', '@vigil', 'agent', 'dist', 'cli.js');

/** The console URL rules of the agent: https, or http to this machine only. */
function checkConsoleUrl(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`consoleUrl "${value}" is not a URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('consoleUrl must start with https:// (http:// only for a console on this machine)');
  }
  return value.replace(/\/+$/, '');
}

/**
 * { consoleUrl, enrolmentToken?, logLevel?, ocr?, clipboard? }; throws with a clear message.
 * @param {string} [file]
 */
function readMachineConfig(file = CONFIG_FILE) {
  let raw;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is missing or is not JSON (${error.code ?? error.message})`);
  }
  return validateMachineConfig(raw, file);
}

function validateMachineConfig(raw, where = CONFIG_FILE) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must hold a JSON object`);
  const allowed = ['consoleUrl', 'enrolmentToken', 'logLevel', 'ocr', 'clipboard'];
  const unknown = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new Error(`${where}: unknown setting(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  if (typeof raw.consoleUrl !== 'string') throw new Error(`${where}: consoleUrl is required`);
  const config = { consoleUrl: checkConsoleUrl(raw.consoleUrl) };
  if (raw.enrolmentToken !== undefined) {
    if (typeof raw.enrolmentToken !== 'string' || raw.enrolmentToken.length < 8 || raw.enrolmentToken.length > 200) {
      throw new Error(`${where}: enrolmentToken must be 8 to 200 characters`);
    }
    config.enrolmentToken = raw.enrolmentToken;
  }
  if (raw.logLevel !== undefined) {
    if (!['debug', 'info', 'warn', 'error', 'silent'].includes(raw.logLevel)) {
      throw new Error(`${where}: logLevel must be debug, info, warn, error or silent`);
    }
    config.logLevel = raw.logLevel;
  }
  for (const key of ['ocr', 'clipboard']) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'boolean') throw new Error(`${where}: ${key} must be true or false`);
    config[key] = raw[key];
  }
  return config;
}

/** The agent's environment for this machine's config and a data dir. */
function agentEnv(config, dataDir) {
  const env = { ...process.env, VIGIL_AGENT_DATA_DIR: dataDir, VIGIL_CONSOLE_URL: config.consoleUrl };
  if (config.logLevel) env.VIGIL_LOG_LEVEL = config.logLevel;
  if (config.ocr !== undefined) env.VIGIL_OCR = config.ocr ? 'on' : 'off';
  if (config.clipboard !== undefined) env.VIGIL_CLIPBOARD = config.clipboard ? 'on' : 'off';
  return env;
}

module.exports = {
  CONFIG_FILE,
  MACHINE_DIR,
  MACHINE_CREDENTIALS,
  NODE,
  CLI,
  readMachineConfig,
  validateMachineConfig,
  agentEnv,
};
