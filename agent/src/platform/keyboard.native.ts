import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { GlobalKeyboardListener, type IGlobalKeyEvent, type IGlobalKeyListener } from 'node-global-key-listener';
import { AgentError, errorCode } from '../errors';
import type { KeyEvent, KeyListener, KeyboardSource, KeyboardState, Logger } from '../core/ports';

export interface NativeKeyboardOptions {
  log: Logger;
  /** Where to put an executable copy of the X11 helper if the packaged one cannot be made executable. */
  helperDir: string;
  /** First restart delay after the helper dies (default 1 s); doubles up to `restartMaxMs` (default 60 s). */
  restartMinMs?: number;
  restartMaxMs?: number;
}

/**
 * node-global-key-listener collects its helper's stdout in `execFile`'s buffer, which kills the
 * helper at 1 MiB (about 35,000 events): after this many events the helper is replaced, during
 * a pause in typing, before that can happen (and so the buffered key codes are dropped).
 */
const RECYCLE_AFTER_EVENTS = 15_000;
const RECYCLE_WHEN_IDLE_MS = 2_000;
/** A helper that ran this long was healthy: its death starts the restart backoff afresh. */
const HEALTHY_RUN_MS = 30_000;
/** A helper still alive this long after it started has its display: it is listening. */
const LISTENING_AFTER_MS = 250;

/** Names the library leaves empty that typed text cares about. */
const RAW_NAMES: Readonly<Record<string, string>> = {
  '102ND': 'INTL BACKSLASH',
  KPSLASH: 'NUMPAD DIVIDE',
};

/** The library's event as the port's: down/up and a standard key name. */
export function toKeyEvent(event: IGlobalKeyEvent): KeyEvent {
  const raw = event.rawKey?.name;
  const key = event.name ? event.name : ((raw !== undefined ? RAW_NAMES[raw] : undefined) ?? 'OTHER');
  return { kind: event.state === 'DOWN' ? 'down' : 'up', key };
}

/**
 * The X11 helper ships without its execute bit. Make it executable where it is, or, when the
 * agent may not change node_modules (installed by root), copy it into the agent's data dir.
 * Without this, the library would fall back to a sudo prompt.
 */
export async function prepareX11Helper(helperDir: string, packaged = packagedX11Helper()): Promise<string> {
  if (await isExecutable(packaged)) return packaged;
  try {
    const { mode } = await fs.stat(packaged);
    await fs.chmod(packaged, mode | 0o111);
    if (await isExecutable(packaged)) return packaged;
  } catch {
    // Not ours to change: use a private copy instead.
  }
  const copy = path.join(helperDir, 'X11KeyServer');
  try {
    await fs.mkdir(helperDir, { recursive: true, mode: 0o700 });
    const [source, existing] = await Promise.all([fs.stat(packaged), fs.stat(copy).catch(() => undefined)]);
    if (!existing || existing.size !== source.size || existing.mtimeMs < source.mtimeMs) {
      const tmp = `${copy}.${process.pid}.tmp`;
      await fs.copyFile(packaged, tmp);
      await fs.chmod(tmp, 0o700);
      await fs.rename(tmp, copy);
    }
    await fs.chmod(copy, 0o700);
    return copy;
  } catch (error) {
    throw new AgentError(
      'AGENT_ERR_KEYBOARD_UNAVAILABLE',
      `The X11 key listener helper could not be made executable (${packaged}).`,
      { cause: error },
    );
  }
}

function packagedX11Helper(): string {
  return path.join(path.dirname(require.resolve('node-global-key-listener/package.json')), 'bin', 'X11KeyServer');
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Global key events through node-global-key-listener (an X11 XInput2 helper on Linux, a
 * low-level hook on Windows, an event tap on macOS). Never stops a key from reaching its
 * application. If the helper dies (no display yet, X restarted), it is restarted with backoff:
 * the agent degrades, it does not crash.
 */
export class NativeKeyboard implements KeyboardSource {
  private readonly options: NativeKeyboardOptions;
  private listener: KeyListener | undefined;
  private onState: ((state: KeyboardState) => void) | undefined;
  private current: GlobalKeyboardListener | undefined;
  private serverPath: string | undefined;
  private running = false;
  private failures = 0;
  private launchedAt = 0;
  private events = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private recycleTimer: NodeJS.Timeout | undefined;
  private listeningTimer: NodeJS.Timeout | undefined;

  constructor(options: NativeKeyboardOptions) {
    this.options = options;
  }

  async start(listener: KeyListener, onState?: (state: KeyboardState) => void): Promise<void> {
    if (this.running) return;
    this.listener = listener;
    this.onState = onState;
    if (process.platform === 'linux') {
      this.serverPath = await prepareX11Helper(this.options.helperDir);
      if (!process.env.DISPLAY)
        this.options.log.warn('keyboard.no_display', { code: 'AGENT_ERR_KEYBOARD_UNAVAILABLE' });
    }
    this.running = true;
    try {
      await this.launch();
    } catch (error) {
      this.running = false;
      throw new AgentError('AGENT_ERR_KEYBOARD_UNAVAILABLE', 'The global key listener could not start.', {
        cause: error,
      });
    }
  }

  stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.recycleTimer);
    clearTimeout(this.listeningTimer);
    this.current?.kill();
    this.current = undefined;
    this.listener = undefined;
    this.onState = undefined;
    return Promise.resolve();
  }

  private async launch(): Promise<void> {
    const onError = (exitCode: number | null | undefined): void => this.helperExited(keyboard, exitCode ?? null);
    const keyboard = new GlobalKeyboardListener({
      x11: { serverPath: this.serverPath, onError, onInfo: () => undefined },
      windows: { onError, onInfo: () => undefined },
      mac: { onError, onInfo: () => undefined },
      disposeDelay: -1,
    });
    this.current = keyboard;
    this.events = 0;
    this.launchedAt = Date.now();
    await keyboard.addListener(this.onEvent);
    this.options.log.info('keyboard.started', { helper: this.serverPath ? path.basename(this.serverPath) : null });
    clearTimeout(this.listeningTimer);
    this.listeningTimer = setTimeout(() => {
      if (this.running && this.current === keyboard) this.onState?.('listening');
    }, LISTENING_AFTER_MS);
  }

  private readonly onEvent: IGlobalKeyListener = (event) => {
    try {
      this.listener?.(toKeyEvent(event));
    } catch (error) {
      this.options.log.error('keyboard.listener_failed', { code: errorCode(error) });
    }
    this.events += 1;
    if (this.events >= RECYCLE_AFTER_EVENTS) {
      clearTimeout(this.recycleTimer);
      this.recycleTimer = setTimeout(() => this.recycle(), RECYCLE_WHEN_IDLE_MS);
    }
    return false; // never swallow the key
  };

  private recycle(): void {
    if (!this.running) return;
    this.options.log.debug('keyboard.recycled', { events: this.events });
    this.current?.kill();
    this.current = undefined;
    this.launch().catch((error: unknown) => this.helperExited(undefined, null, error));
  }

  private helperExited(keyboard: GlobalKeyboardListener | undefined, exitCode: number | null, error?: unknown): void {
    if (!this.running || (keyboard !== undefined && keyboard !== this.current)) return;
    (keyboard ?? this.current)?.kill();
    this.current = undefined;
    clearTimeout(this.listeningTimer);
    this.onState?.('unavailable');
    if (Date.now() - this.launchedAt > HEALTHY_RUN_MS) this.failures = 0;
    this.failures += 1;
    const min = this.options.restartMinMs ?? 1_000;
    const max = this.options.restartMaxMs ?? 60_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.failures - 1, 20));
    this.options.log.warn('keyboard.helper_exited', {
      code: 'AGENT_ERR_KEYBOARD_UNAVAILABLE',
      exitCode,
      cause: error === undefined ? null : errorCode(error),
      restartInMs: delay,
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.running) return;
      this.launch().catch((launchError: unknown) => this.helperExited(undefined, null, launchError));
    }, delay);
  }
}
