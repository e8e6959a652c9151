/**
 * The Electron composition root, kept thin: it wires Electron's tray, windows, IPC and utility
 * process to the shell's plain modules (tray-shell.ts and friends, tested in Node) and applies
 * the window rules of window-security.ts. Not run in this repository's tests (no Electron
 * binary here); it is type-checked against Electron's types.
 */
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  protocol,
  session,
  Tray,
  utilityProcess,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { createStderrLogger } from '../platform/log.stderr';
import { autostartRegistration, AUTOSTART_ARG } from './autostart';
import { RemoteEngine, type MessageLink } from './engine-rpc';
import { EngineSupervisor, type EngineChild } from './engine-supervisor';
import { TRAY_ICON_PNG_BASE64 } from './icon';
import { IPC, parseSubmitReport } from './ipc';
import { PAGE_CSS, pageHtml, pageTitle, wrapRendererScript } from './pages';
import { REPORT_MESSAGES } from './report-flow';
import { TrayShell, type ShellView } from './tray-shell';
import type { TrayMenuModel } from './tray-menu';
import {
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  appAssetPath,
  isNavigationAllowed,
  pageUrl,
  secureWebPreferences,
  type PageName,
} from './window-security';

const log = createStderrLogger(process.env.VIGIL_LOG_LEVEL === 'debug' ? 'debug' : 'info');
const SIZES: Record<PageName, { width: number; height: number }> = {
  report: { width: 460, height: 470 },
  privacy: { width: 520, height: 560 },
  support: { width: 480, height: 600 },
};

// One copy per user session: a second start (autostart plus a click) just ends.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
  ]);
  app.enableSandbox();
  app.whenReady().then(start, (error: unknown) => {
    log.error('tray.start_failed', { message: error instanceof Error ? error.name : 'unknown' });
    app.exit(1);
  });
}

/** Every web contents, whatever made it: no new windows, no navigation away, no webviews. */
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

// Closing every window does not end the app: monitoring carries on without any window.
app.on('window-all-closed', () => undefined);

async function start(): Promise<void> {
  // No page may use the camera, microphone, notifications, geolocation, …
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, serveAsset);
  // A tray app: no Dock icon on macOS (LSUIElement in the packaged app says the same).
  app.dock?.hide();
  await registerAutostart();

  const engine = new RemoteEngine();
  const supervisor = new EngineSupervisor({
    fork: forkEngine,
    timer: {
      now: () => Date.now(),
      set: (fn, ms) => {
        const timer = setTimeout(fn, ms);
        return { cancel: () => clearTimeout(timer) };
      },
    },
    onStarted: (link) => engine.attach(link),
    onExited: (code, restartInMs) => {
      engine.detach();
      log.warn('tray.engine_exited', { code, restartInMs });
    },
  });

  const windows = new Map<PageName, BrowserWindow>();
  const pageOf = new Map<number, PageName>();
  let tray: Tray | null = null;
  const icon = nativeImage.createFromBuffer(Buffer.from(TRAY_ICON_PNG_BASE64, 'base64'));
  const supportCardFile = path.join(app.getPath('userData'), 'support-card.json');

  const view: ShellView = {
    setTray(model: TrayMenuModel | null) {
      if (model === null) {
        tray?.destroy();
        tray = null;
        return;
      }
      if (tray === null) {
        tray = new Tray(icon);
        // A left click shows the menu too (Windows and Linux show it only on a right click).
        tray.on('click', () => tray?.popUpContextMenu());
      }
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(model.items.map(toMenuItem)));
    },
    openWindow(page) {
      const open = windows.get(page);
      if (open && !open.isDestroyed()) {
        open.show();
        open.focus();
        return;
      }
      const win = new BrowserWindow({
        ...SIZES[page],
        title: pageTitle(page),
        show: false,
        resizable: page !== 'support',
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        alwaysOnTop: page === 'support',
        autoHideMenuBar: true,
        icon,
        webPreferences: secureWebPreferences(path.join(__dirname, 'preload.js'), { devTools: !app.isPackaged }),
      });
      windows.set(page, win);
      const id = win.webContents.id;
      pageOf.set(id, page);
      guardNavigation(win.webContents, page);
      win.once('ready-to-show', () => win.show());
      win.on('closed', () => {
        windows.delete(page);
        pageOf.delete(id);
        shell.windowClosed(page);
      });
      void win.loadURL(pageUrl(page));
    },
    closeWindow(page) {
      const win = windows.get(page);
      if (win && !win.isDestroyed()) win.close();
    },
  };

  const shell = new TrayShell({
    engine,
    view,
    now: () => Date.now(),
    log,
    supportCardShownAt: await readSupportCardShownAt(supportCardFile),
    onSupportCardShown: (at) =>
      void fs.writeFile(supportCardFile, JSON.stringify({ shownAt: at })).catch(() => undefined),
  });

  function toMenuItem(item: TrayMenuModel['items'][number]): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => void shell.action(item.id) };
    }
  }

  /** The page a message came from, when it came from one of the shell's own pages. */
  const senderPage = (event: IpcMainInvokeEvent | IpcMainEvent): PageName | null => {
    const page = pageOf.get(event.sender.id);
    if (page === undefined) return null;
    return event.senderFrame?.url === pageUrl(page) ? page : null;
  };

  ipcMain.handle(IPC.view, (event) => {
    const page = senderPage(event);
    if (page === null) throw new Error('refused');
    return shell.pageView(page);
  });
  ipcMain.handle(IPC.submitReport, (event, payload: unknown) => {
    if (senderPage(event) !== 'report') throw new Error('refused');
    const request = parseSubmitReport(payload);
    if (request === null) return { ok: false, message: REPORT_MESSAGES.empty };
    return shell.submitReport(request.text);
  });
  ipcMain.on(IPC.close, (event) => {
    const page = senderPage(event);
    if (page !== null) view.closeWindow(page);
  });

  shell.start();
  supervisor.start();
  // "5 minutes ago" moves on by itself.
  setInterval(() => shell.render(), 60_000);
  app.on('before-quit', () => {
    shell.stop();
    supervisor.stop();
  });
}

function guardNavigation(contents: WebContents, page: PageName): void {
  contents.on('will-frame-navigate', (event) => {
    if (!isNavigationAllowed(event.url, page)) event.preventDefault();
  });
}

/** vigil://app/… : the shell's pages, its stylesheet and script; every response carries the CSP. */
async function serveAsset(request: Request): Promise<Response> {
  const name = appAssetPath(request.url);
  const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
  if (name === null) return new Response('Not found', { status: 404, headers });
  if (name === 'page.css') return new Response(PAGE_CSS, { headers: { ...headers, 'Content-Type': 'text/css' } });
  if (name === 'page.js') {
    const compiled = await fs.readFile(path.join(__dirname, 'renderer', 'page.js'), 'utf8');
    return new Response(wrapRendererScript(compiled), {
      headers: { ...headers, 'Content-Type': 'text/javascript' },
    });
  }
  const page = name.replace(/\.html$/, '') as PageName;
  return new Response(pageHtml(page), { headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' } });
}

/** The engine in an Electron utility process (Node, no window), its stderr in the app's log. */
function forkEngine(): EngineChild {
  const child = utilityProcess.fork(path.join(__dirname, 'engine-process.js'), [], {
    serviceName: 'Vigil engine',
    stdio: 'inherit',
  });
  const link: MessageLink = {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => {
      const handler = (message: unknown) => listener(message);
      child.on('message', handler);
      return () => child.off('message', handler);
    },
  };
  return {
    link,
    onExit: (listener) => child.once('exit', listener),
    kill: () => void child.kill(),
  };
}

async function readSupportCardShownAt(file: string): Promise<number | null> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    const at = typeof parsed === 'object' && parsed !== null && 'shownAt' in parsed ? parsed.shownAt : null;
    return typeof at === 'number' && Number.isFinite(at) ? at : null;
  } catch {
    return null;
  }
}

/**
 * The installers register start-at-login for every user (HKLM Run, /etc/xdg/autostart, a
 * LaunchAgent). A copy run without them registers itself for this user only.
 */
async function registerAutostart(): Promise<void> {
  if (!app.isPackaged) return;
  const platform = process.platform;
  const machine = autostartRegistration({
    platform,
    executable: process.execPath,
    scope: 'machine',
    home: os.homedir(),
  });
  if (machine.kind === 'registry-run') {
    const perMachine = process.execPath
      .toLowerCase()
      .startsWith((process.env.ProgramFiles ?? 'C:\\Program Files').toLowerCase());
    if (!perMachine) app.setLoginItemSettings({ openAtLogin: true, args: [AUTOSTART_ARG] });
    return;
  }
  if (machine.kind === 'launch-agent') {
    if (!existsSync(machine.file)) app.setLoginItemSettings({ openAtLogin: true, args: [AUTOSTART_ARG] });
    return;
  }
  if (existsSync(machine.file)) return;
  const user = autostartRegistration({ platform, executable: process.execPath, scope: 'user', home: os.homedir() });
  if (user.kind !== 'xdg-autostart') return;
  await fs.mkdir(path.dirname(user.file), { recursive: true });
  await fs.writeFile(user.file, user.desktopEntry);
}
