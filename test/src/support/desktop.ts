import { spawn } from 'node:child_process';
import { background, run, waitFor, type Background } from './processes';

export interface Desktop {
  display: string;
  width: number;
  height: number;
  /**
   * Opens an xterm and waits until it has focus; returns its X window id. With `command`, the
   * terminal runs that shell command instead of a shell (to show text that was never typed).
   */
  openTerminal(title: string, command?: string): Promise<string>;
  /** Gives a window the focus and waits until it has it. */
  focus(windowId: string): Promise<void>;
  /** Puts text on the clipboard, as copying in an app does (xclip keeps owning it until stop()). */
  copy(text: string): Promise<void>;
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
  const children: Background[] = [];
  // openbox is ready when it owns the WM selection; xprop on the root window shows it. It has been
  // seen not to come up at all now and then on CI (after other suites' desktops): a stuck start is
  // stopped and tried again, and a desktop that never comes up is torn down (Xvfb too) so the test
  // run can end, with what openbox said.
  let said = '';
  for (let attempt = 1; attempt <= 3 && children.length === 0; attempt++) {
    const wm = background('openbox', [], env);
    try {
      await waitFor(
        'openbox',
        async () => {
          const { stdout } = await run('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], env);
          return stdout.includes('window id') ? true : undefined;
        },
        12_000,
      );
      children.push(wm);
    } catch {
      said = wm.output();
      await wm.stop().catch(() => undefined);
    }
  }
  if (children.length === 0) {
    xvfb.kill('SIGKILL');
    throw new Error(`openbox did not come up on ${display} in 3 attempts: ${said.slice(-500)}`);
  }

  const focus = async (windowId: string): Promise<void> => {
    await run('xdotool', ['windowactivate', '--sync', windowId], env);
    await waitFor('window focus', async () => {
      const { stdout } = await run('xdotool', ['getwindowfocus'], env);
      return stdout.trim() === windowId ? true : undefined;
    });
  };

  return {
    display,
    width,
    height,
    async openTerminal(title, command) {
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
            // -e must come last: everything after it is the command.
            ...(command === undefined ? [] : ['-e', 'sh', '-c', command]),
          ],
          env,
        ),
      );
      const id = await waitFor('the terminal window', async () => {
        const { stdout } = await run('xdotool', ['search', '--name', `^${title}$`], env);
        return stdout.trim().split('\n')[0] || undefined;
      });
      await focus(id);
      return id;
    },
    focus,
    async copy(text) {
      // -quiet keeps xclip in the foreground, serving the selection, so that it can be stopped.
      const xclip = background('xclip', ['-selection', 'clipboard', '-quiet'], env, text);
      children.push(xclip);
      await waitFor('the clipboard', async () => {
        const { stdout } = await run('xclip', ['-o', '-selection', 'clipboard'], env);
        return stdout === text ? true : undefined;
      });
    },
    async type(windowId, text) {
      await run('xdotool', ['windowactivate', '--sync', windowId], env);
      // `xdotool type` sends "\n" as the Linefeed keysym; a person presses Return.
      const lines = text.split('\n');
      for (const [i, line] of lines.entries()) {
        if (line) await run('xdotool', ['type', '--delay', '40', line], env);
        if (i < lines.length - 1) await run('xdotool', ['key', 'Return'], env);
      }
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
