import path from 'node:path';
import type { CaptureMetadata } from '@vigil/shared';
import { AGENT_CLI, CONSOLE_CLI, background, freePort, run, waitFor, type Background } from './processes';

/** A capture as `export-captures --json` prints it. */
export type ExportedCapture = CaptureMetadata & { screenshotPath: string };

export interface RunningConsole {
  url: string;
  /** Runs a console CLI command on the same data dir; resolves with its stdout. */
  cli(...args: string[]): Promise<string>;
  createSchool(name: string): Promise<{ id: string; enrolmentToken: string }>;
  exportCaptures(schoolId: string): Promise<ExportedCapture[]>;
  stop(): Promise<void>;
}

/** The real console (`cli.js serve`) on a free port with its data in `dataDir`, ready when /health answers. */
export async function startConsole(dataDir: string): Promise<RunningConsole> {
  const env = { VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'warn' };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = background('node', [CONSOLE_CLI, 'serve'], { ...env, PORT: String(port), VIGIL_HOST: '127.0.0.1' });
  await waitFor('the console /health', async () => {
    if (server.child.exitCode !== null) throw new Error(`console exited:\n${server.output()}`);
    return (await fetch(`${url}/health`)).ok ? true : undefined;
  });
  const cli = async (...args: string[]) => (await run('node', [CONSOLE_CLI, ...args], env)).stdout;
  return {
    url,
    cli,
    createSchool: async (name) =>
      JSON.parse(await cli('create-school', '--name', name, '--json')) as { id: string; enrolmentToken: string },
    exportCaptures: async (schoolId) =>
      JSON.parse(await cli('export-captures', '--school', schoolId, '--json')) as ExportedCapture[],
    stop: () => server.stop(),
  };
}

export interface AgentStatus {
  keyboard?: string;
  queueDepth: number;
}

export interface Agent {
  env: NodeJS.ProcessEnv;
  process: Background | undefined;
  status(): Promise<AgentStatus>;
  /** Starts `cli.js run`; ready when `status` says the keyboard is listening. */
  start(): Promise<Background>;
  stop(): Promise<void>;
}

/** The real agent, enrolled with `token` into the console at `consoleUrl`, its data in `dataDir`. */
export async function enrolAgent(
  dataDir: string,
  consoleUrl: string,
  token: string,
  env: NodeJS.ProcessEnv,
): Promise<Agent> {
  const agentEnv = { ...env, VIGIL_AGENT_DATA_DIR: path.resolve(dataDir) };
  await run('node', [AGENT_CLI, 'enrol', '--console', consoleUrl, '--token', token], agentEnv);
  const agent: Agent = {
    env: agentEnv,
    process: undefined,
    status: async () =>
      JSON.parse((await run('node', [AGENT_CLI, 'status', '--json'], agentEnv)).stdout) as AgentStatus,
    async start() {
      const started = background('node', [AGENT_CLI, 'run'], agentEnv);
      agent.process = started;
      await waitFor(
        'the agent keyboard',
        async () => {
          if (started.child.exitCode !== null) throw new Error(`agent exited:\n${started.output()}`);
          return (await agent.status()).keyboard === 'listening' ? true : undefined;
        },
        30_000,
      );
      return started;
    },
    stop: async () => agent.process?.stop(),
  };
  return agent;
}

/** Captures with a match on `phrase`: the list entry may be the phrase itself or a longer one around it. */
export function capturesOf(captures: readonly ExportedCapture[], phrase: string): ExportedCapture[] {
  return captures.filter((c) =>
    c.matches.some(
      (m) => m.phrase.toLowerCase().includes(phrase) || c.context.slice(m.start, m.end).toLowerCase().includes(phrase),
    ),
  );
}
