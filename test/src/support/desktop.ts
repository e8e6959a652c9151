import { spawn } from 'node:child_process';
import { background, run, waitFor, type Background } from './processes';

export interface Desktop {
  display: string;
  width: number;
  height: number;
  /** Opens an xterm and waits until it has focus; returns its X window id. */
  openTerminal(title: string): Promise<string>;
  /** Types text into the focused window as real key events (XTEST), a key at a time. */
  type(windowId: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

/** A real X display (Xvfb, which picks a free display number itself) with a window manager (openbox). */
export async function startDesktop(width = 1280, height = 800): Promise<Desktop> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const displayNumber = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 15_000);
    xvfb.stdio[3]!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  const display = `:${displayNumber}`;
  const env = { DISPLAY: display };
  const children: Background[] = [background('openbox', [], env)];
  // openbox is ready when it owns the WM selection; xprop on the root window shows it.
  await waitFor('openbox', async () => {
    const { stdout } = await run('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], env);
    return stdout.includes('window id') ? true : undefined;
  });

  return {
    display,
    width,
    height,
    async openTerminal(title) {
      children.push(
        background(
          'xterm',
          [
            '-title',
            title,
            '-geometry',
            '100x30+40+40',
            '-fa',
            'DejaVu Sans Mono',
            '-fs',
            '14',
            '-bg',
            'white',
            '-fg',
            'black',
          ],
          env,
        ),
      );
      const id = await waitFor('the terminal window', async () => {
        const { stdout } = await run('xdotool', ['search', '--name', `^${title}$`], env);
        return stdout.trim().split('\n')[0] || undefined;
      });
      await run('xdotool', ['windowactivate', '--sync', id], env);
      await waitFor('terminal focus', async () => {
        const { stdout } = await run('xdotool', ['getwindowfocus'], env);
        return stdout.trim() === id ? true : undefined;
      });
      return id;
    },
    async type(windowId, text) {
      await run('xdotool', ['windowactivate', '--sync', windowId], env);
      await run('xdotool', ['type', '--delay', '40', text], env);
    },
    async stop() {
      for (const c of children.reverse()) await c.stop();
      await new Promise<void>((resolve) => {
        if (xvfb.exitCode !== null) return resolve();
        xvfb.once('exit', () => resolve());
        xvfb.kill('SIGTERM');
      });
    },
  };
}
