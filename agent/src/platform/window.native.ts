import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type * as GetWindowsModule from 'get-windows';
import { AgentError } from '../errors';
import type { ActiveWindow, FocusedWindow, WindowBounds, WindowInfo, WindowSource } from '../core/ports';

type GetWindows = typeof GetWindowsModule;

/** The protocol's limits on a capture's window fields. */
const MAX_TITLE = 2000;
const MAX_URL = 4000;

const NO_WINDOW: WindowInfo = { app: '', title: '', url: null };

let loading: Promise<GetWindows> | undefined;

/**
 * get-windows is ESM-only: it is loaded with a real dynamic `import()` (TypeScript keeps it as is
 * in our CommonJS output), once.
 */
function loadGetWindows(): Promise<GetWindows> {
  loading ??= import('get-windows').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * The focused window through get-windows: on Linux it runs `xprop` and `xwininfo` (x11-utils)
 * against the X display; on macOS and Windows its native module. The browser URL comes only where
 * the platform gives it (macOS).
 */
export class NativeWindow implements WindowSource, ActiveWindow {
  async focused(): Promise<FocusedWindow | null> {
    if (process.platform === 'linux' && !process.env.DISPLAY) {
      throw new AgentError('AGENT_ERR_WINDOW_UNAVAILABLE', 'DISPLAY is not set: there is no X display to read.');
    }
    let getWindows: GetWindows;
    try {
      getWindows = await loadGetWindows();
    } catch (error) {
      throw new AgentError('AGENT_ERR_WINDOW_UNAVAILABLE', 'get-windows could not be loaded.', { cause: error });
    }
    let window: Awaited<ReturnType<GetWindows['activeWindow']>>;
    try {
      window = await getWindows.activeWindow();
    } catch (error) {
      // get-windows needs _NET_WM_PID, which older X programs (xmessage, some dialogs) never
      // set: read such a window with xprop directly rather than not at all.
      if (process.platform === 'linux') return readX11ActiveWindow();
      throw new AgentError('AGENT_ERR_WINDOW_UNAVAILABLE', 'The focused window could not be read.', { cause: error });
    }
    if (!window) return null;
    const url = 'url' in window && typeof window.url === 'string' && window.url !== '' ? window.url : null;
    return {
      id: String(window.id),
      app: (window.owner.name ?? '').slice(0, 200),
      title: (window.title ?? '').slice(0, MAX_TITLE),
      url: url === null ? null : url.slice(0, MAX_URL),
      bounds: validBounds(window.bounds),
    };
  }

  /** For the capture's metadata: the window of this moment, empty when it cannot be read. */
  async current(): Promise<WindowInfo> {
    try {
      const window = await this.focused();
      return window ? { app: window.app, title: window.title, url: window.url } : NO_WINDOW;
    } catch {
      return NO_WINDOW;
    }
  }
}

function validBounds(bounds: WindowBounds | undefined): WindowBounds | null {
  if (!bounds) return null;
  const { x, y, width, height } = bounds;
  return [x, y, width, height].every(Number.isFinite) && width > 0 && height > 0 ? { x, y, width, height } : null;
}

const execFileAsync = promisify(execFile);

/** The focused X11 window through xprop and xwininfo, for windows get-windows cannot read. */
export async function readX11ActiveWindow(): Promise<FocusedWindow | null> {
  try {
    const run = async (file: string, args: string[]) =>
      (await execFileAsync(file, args, { timeout: 3_000, env: { ...process.env, LC_ALL: 'C.UTF-8' } })).stdout;
    const active = /window id # (0x[0-9a-f]+)/i.exec(await run('xprop', ['-root', '_NET_ACTIVE_WINDOW']))?.[1];
    if (!active || Number.parseInt(active, 16) === 0) return null;
    const [props, info] = await Promise.all([
      run('xprop', ['-id', active, '_NET_WM_NAME', 'WM_NAME', 'WM_CLASS']),
      run('xwininfo', ['-id', active]),
    ]);
    const quoted = (name: string): string[] => {
      const line = props.split('\n').find((l) => l.startsWith(name));
      return line ? [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unescapeXprop(m[1] ?? '')) : [];
    };
    const title = quoted('_NET_WM_NAME')[0] ?? quoted('WM_NAME')[0] ?? '';
    const app = quoted('WM_CLASS').at(-1) ?? '';
    const number = (label: string) => Number(new RegExp(`${label}:\\s*(-?\\d+)`).exec(info)?.[1]);
    return {
      id: String(Number.parseInt(active, 16)),
      app: app.slice(0, 200),
      title: title.slice(0, MAX_TITLE),
      url: null,
      bounds: validBounds({
        x: number('Absolute upper-left X'),
        y: number('Absolute upper-left Y'),
        width: number('Width'),
        height: number('Height'),
      }),
    };
  } catch (error) {
    throw new AgentError('AGENT_ERR_WINDOW_UNAVAILABLE', 'The focused window could not be read.', { cause: error });
  }
}

/** xprop prints non-ASCII bytes as octal escapes and escapes quotes and backslashes. */
function unescapeXprop(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const octal = /^\\([0-7]{3})/.exec(text.slice(i));
    if (octal?.[1]) {
      bytes.push(Number.parseInt(octal[1], 8));
      i += 3;
    } else if (text[i] === '\\' && i + 1 < text.length) {
      bytes.push(...Buffer.from(text[++i] ?? '', 'utf8'));
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
