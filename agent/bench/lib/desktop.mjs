/** A real X display for the benchmark: Xvfb (it picks a free display itself), openbox, xterms. */
import { background, run, waitFor } from './processes.mjs';

export async function startDesktop(width, height) {
  const xvfb = background('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 15_000);
    xvfb.child.stdio[3].on('data', (chunk) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      resolve(text.trim());
    });
    xvfb.child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${xvfb.output()}`)));
  });
  const display = `:${number}`;
  const env = { DISPLAY: display };
  background('openbox', [], { env });
  await waitFor('openbox', async () => {
    const { stdout } = await run('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], env);
    return stdout.includes('window id') ? true : undefined;
  });

  const xdotool = (...args) => run('xdotool', args, env);
  const focus = async (windowId) => {
    await xdotool('windowactivate', '--sync', windowId);
    await waitFor('window focus', async () =>
      (await xdotool('getwindowfocus')).stdout.trim() === windowId ? true : undefined,
    );
  };

  return {
    display,
    env,
    xvfbPid: xvfb.child.pid,
    xdotool,
    focus,
    /** An xterm running `cat` (what is typed is shown, nothing is executed); returns its window id. */
    async openTerminal(title, geometry) {
      background(
        'xterm',
        ['-title', title, '-geometry', geometry, '-fa', 'DejaVu Sans Mono', '-fs', '14', '-bg', 'white', '-fg', 'black', '-e', 'cat'],
        { env },
      );
      const id = await waitFor('the terminal window', async () => {
        const { stdout } = await xdotool('search', '--name', `^${title}$`);
        return stdout.trim().split('\n')[0] || undefined;
      });
      await focus(id);
      return id;
    },
  };
}

