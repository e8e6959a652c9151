/**
 * The engine's own process (an Electron utility process started and restarted by main.ts): it
 * enrols this user's agent from the machine config when it has to, runs the same daemon as
 * `cli.ts run`, and serves the tray over the parent port. If anything fatal happens it exits,
 * and the tray starts it again.
 */
import { main as cli } from '../cli';
import { requireCredentials, startDaemon } from '../daemon';
import { errorCode } from '../errors';
import { loadConfig, type AgentConfig } from '../platform/config';
import { createStderrLogger } from '../platform/log.stderr';
import { serveEngine, UNKNOWN_SNAPSHOT, type FromEngine, type MessageLink } from './engine-rpc';
import { trayPortOf } from './engine-host';
import { readMachineConfig } from './machine-config';

const ENROL_RETRY_MS = 5 * 60_000;

function parentLink(): MessageLink {
  const port = process.parentPort;
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => {
      const handler = (event: Electron.MessageEvent) => listener(event.data);
      port.on('message', handler);
      return () => port.off('message', handler);
    },
  };
}

async function enrolled(config: AgentConfig): Promise<boolean> {
  try {
    await requireCredentials(config);
    return true;
  } catch (error) {
    if (errorCode(error) === 'AGENT_ERR_NOT_ENROLLED') return false;
    throw error;
  }
}

async function run(): Promise<void> {
  const config = loadConfig();
  const log = createStderrLogger(config.logLevel);
  const link = parentLink();
  while (!(await enrolled(config))) {
    const notEnrolled: FromEngine = { type: 'snapshot', snapshot: { ...UNKNOWN_SNAPSHOT, enrolled: false } };
    link.post(notEnrolled);
    const machine = await readMachineConfig().catch(() => null);
    if (machine?.enrolmentToken) {
      const code = await cli(['enrol', '--console', machine.consoleUrl, '--token', machine.enrolmentToken]);
      log.info('tray.enrol', { ok: code === 0 });
      if (code === 0) break;
    } else {
      log.warn('tray.not_enrolled', { configured: machine !== null });
    }
    await new Promise((resolve) => setTimeout(resolve, ENROL_RETRY_MS));
  }
  const daemon = await startDaemon(config, { log });
  serveEngine(trayPortOf(daemon), link);
  const stop = () => {
    daemon.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

run().catch((error: unknown) => {
  process.stderr.write(`vigil-agent engine: ${errorCode(error)}\n`);
  process.exit(1);
});
