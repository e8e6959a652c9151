/**
 * The tray shell's behaviour, with no Electron in it: it keeps the tray menu in step with the
 * engine, runs "Report a concern", shows the support card when the policy allows it, opens the
 * privacy notice, and hides the tray when the policy says so (monitoring carries on: the engine
 * does not depend on the tray). `main.ts` gives it an Electron view; tests give it a fake.
 */
import type { TrayEnginePort } from './engine-port';
import type { PageView } from './ipc';
import { privacyNotice } from './privacy-notice';
import { REPORT_MAX_CHARS, ReportFlow, type ReportFlowLog, type ReportSubmitResult } from './report-flow';
import { SUPPORT_CARD, SupportCardGate } from './support-card';
import { buildTrayMenu, type TrayAction, type TrayMenuModel } from './tray-menu';
import type { PageName } from './window-security';

/** The native side: a tray icon and the shell's small windows. */
export interface ShellView {
  /** Shows the tray with this menu, or hides it (null). */
  setTray(model: TrayMenuModel | null): void;
  /** Opens the page's window, or brings it forward when it is open. */
  openWindow(page: PageName): void;
  closeWindow(page: PageName): void;
}

export interface TrayShellOptions {
  engine: TrayEnginePort;
  view: ShellView;
  now: () => number;
  log: ReportFlowLog;
  /** When the support card was last shown (kept across restarts by the host), if ever. */
  supportCardShownAt?: number | null;
  onSupportCardShown?: (at: number) => void;
}

export class TrayShell {
  private readonly report: ReportFlow;
  private readonly supportGate: SupportCardGate;
  private readonly unsubscribe: (() => void)[] = [];
  private lastModel: TrayMenuModel | null = null;

  constructor(private readonly options: TrayShellOptions) {
    this.supportGate = new SupportCardGate(options.supportCardShownAt ?? null);
    this.report = new ReportFlow(
      options.engine,
      {
        openReportWindow: () => options.view.openWindow('report'),
        focusReportWindow: () => options.view.openWindow('report'),
        closeReportWindow: () => options.view.closeWindow('report'),
      },
      options.log,
      () => this.render(),
    );
  }

  start(): void {
    const { engine } = this.options;
    this.unsubscribe.push(engine.onSnapshot(() => this.render()));
    this.unsubscribe.push(
      engine.onCaptured((notice) => {
        const now = this.options.now();
        if (this.supportGate.consider(notice, engine.snapshot().settings, now)) {
          this.options.onSupportCardShown?.(now);
          this.options.view.openWindow('support');
        }
      }),
    );
    this.render();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Recomputes the menu (on engine changes, and once a minute for "5 minutes ago"). */
  render(): void {
    const snapshot = this.options.engine.snapshot();
    const model =
      snapshot.settings.trayHidden === true
        ? null
        : buildTrayMenu(snapshot, new Date(this.options.now()), { reportOpen: this.report.isOpen });
    if (JSON.stringify(model) === JSON.stringify(this.lastModel)) return;
    this.lastModel = model;
    this.options.view.setTray(model);
  }

  /** A menu item was clicked. */
  async action(id: TrayAction): Promise<void> {
    if (id === 'report') await this.report.open();
    else this.options.view.openWindow('privacy');
  }

  /** What a page shows (asked through the bridge). */
  pageView(page: PageName): PageView {
    switch (page) {
      case 'report':
        return { page, maxChars: REPORT_MAX_CHARS };
      case 'privacy':
        return { page, content: privacyNotice(this.options.engine.snapshot().settings) };
      case 'support':
        return { page, content: SUPPORT_CARD };
    }
  }

  submitReport(text: unknown): Promise<ReportSubmitResult> {
    return this.report.submit(text);
  }

  /** A window was closed (by the pupil, or by the page's own Close button). */
  windowClosed(page: PageName): void {
    if (page === 'report') this.report.closed();
  }
}
