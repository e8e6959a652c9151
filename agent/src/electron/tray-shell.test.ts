import { FakeTrayEngine } from './engine.fake';
import { TrayShell, type ShellView } from './tray-shell';
import { MONITORED_LABEL, type TrayMenuModel } from './tray-menu';
import type { PageName } from './window-security';
import { REPORT_MESSAGES } from './report-flow';
import { SUPPORT_CARD_INTERVAL_MS } from './support-card';

class FakeView implements ShellView {
  tray: TrayMenuModel | null | undefined;
  trayUpdates = 0;
  readonly open = new Set<PageName>();
  readonly opened: PageName[] = [];
  setTray(model: TrayMenuModel | null): void {
    this.tray = model;
    this.trayUpdates++;
  }
  openWindow(page: PageName): void {
    this.open.add(page);
    this.opened.push(page);
  }
  closeWindow(page: PageName): void {
    this.open.delete(page);
  }
  label(id: string): string | undefined {
    const item = this.tray?.items.find((i) => i.id === id);
    return item && 'label' in item ? item.label : undefined;
  }
  enabled(id: string): boolean | undefined {
    const item = this.tray?.items.find((i) => i.id === id);
    return item?.kind === 'action' ? item.enabled : undefined;
  }
}

const NOW = Date.parse('2026-11-25T12:00:00.000Z');

function setup(options: { supportCardShownAt?: number | null } = {}) {
  const engine = new FakeTrayEngine();
  const view = new FakeView();
  let now = NOW;
  const shown: number[] = [];
  const logs: { event: string; fields: Record<string, unknown> }[] = [];
  const shell = new TrayShell({
    engine,
    view,
    now: () => now,
    log: {
      info: (event, fields) => logs.push({ event, fields }),
      warn: (event, fields) => logs.push({ event, fields }),
    },
    supportCardShownAt: options.supportCardShownAt ?? null,
    onSupportCardShown: (at) => shown.push(at),
  });
  shell.start();
  return { engine, view, shell, shown, logs, advance: (ms: number) => (now += ms) };
}

describe('TrayShell: the tray menu', () => {
  it('says the device is monitored, and shows connection, last upload and queue depth', () => {
    const { engine, view } = setup();
    engine.update({ connection: 'online', lastUploadAt: '2026-11-25T11:55:00.000Z', queueDepth: 3 });
    expect(view.label('monitored')).toBe(MONITORED_LABEL);
    expect(view.label('connection')).toBe('Connected to your school');
    expect(view.label('last-upload')).toBe('Last sent: 5 minutes ago');
    expect(view.label('queue')).toBe('3 items waiting to be sent');
    expect(view.label('report')).toBe('Report a concern…');
    expect(view.label('privacy')).toBe('Privacy notice');
  });

  it('follows the engine: offline, nothing sent yet, not enrolled', () => {
    const { engine, view } = setup();
    engine.update({ connection: 'offline', queueDepth: 1 });
    expect(view.label('connection')).toMatch(/^Not connected/);
    expect(view.label('last-upload')).toBe('Last sent: not yet');
    expect(view.label('queue')).toBe('1 item waiting to be sent');
    engine.update({ enrolled: false, queueDepth: 0 });
    expect(view.label('connection')).toMatch(/Not set up yet/);
    expect(view.label('queue')).toBe('Nothing waiting to be sent');
  });

  it('has no item that stops monitoring', () => {
    const { view } = setup();
    const labels = view.tray!.items.map((i) => ('label' in i ? i.label : '')).join(' ');
    expect(labels).not.toMatch(/quit|exit|pause|stop|disable/i);
  });

  it('hides the tray when the policy says so and shows it again when it no longer does', () => {
    const { engine, view } = setup();
    engine.update({}, { trayHidden: true });
    expect(view.tray).toBeNull();
    engine.update({}, { trayHidden: false });
    expect(view.label('monitored')).toBe(MONITORED_LABEL);
  });

  it('does not redraw the tray when nothing it shows has changed', () => {
    const { engine, view } = setup();
    const before = view.trayUpdates;
    engine.update({ policyVersion: 'v2' });
    expect(view.trayUpdates).toBe(before);
  });

  it('stops listening to the engine when stopped', () => {
    const { engine, shell } = setup();
    expect(engine.listenerCount).toBe(2);
    shell.stop();
    expect(engine.listenerCount).toBe(0);
  });
});

describe('TrayShell: Report a concern', () => {
  it('takes the screenshot before the window opens, then sends the pupil’s words with it', async () => {
    const { engine, view, shell } = setup();
    let evidenceWhenOpened = -1;
    const open = view.openWindow.bind(view);
    view.openWindow = (page) => {
      if (page === 'report' && evidenceWhenOpened === -1) evidenceWhenOpened = engine.evidenceTaken;
      open(page);
    };
    await shell.action('report');
    expect(evidenceWhenOpened).toBe(1);
    expect(view.open.has('report')).toBe(true);
    expect(view.enabled('report')).toBe(false);

    const result = await shell.submitReport('  Someone in a game keeps asking me to send photos  ');
    expect(result).toEqual({ ok: true, id: 'report-1' });
    expect(engine.reports).toEqual([
      { text: 'Someone in a game keeps asking me to send photos', evidence: { takenAt: '2026-11-25T10:00:01.000Z' } },
    ]);
    expect(view.enabled('report')).toBe(true);
  });

  it('refuses empty and over-long reports with a clear message, sending nothing', async () => {
    const { engine, shell } = setup();
    await shell.action('report');
    expect(await shell.submitReport('   ')).toEqual({ ok: false, message: REPORT_MESSAGES.empty });
    expect(await shell.submitReport('x'.repeat(2001))).toEqual({ ok: false, message: REPORT_MESSAGES.tooLong });
    expect(await shell.submitReport(42)).toEqual({ ok: false, message: REPORT_MESSAGES.empty });
    expect(engine.reports).toEqual([]);
    expect(await shell.submitReport('x'.repeat(2000))).toMatchObject({ ok: true });
  });

  it('a second press while the window is open brings it forward without a second screenshot', async () => {
    const { engine, view, shell } = setup();
    await shell.action('report');
    await shell.action('report');
    expect(engine.evidenceTaken).toBe(1);
    expect(view.opened.filter((p) => p === 'report')).toHaveLength(2);
  });

  it('sends once when Send is pressed twice', async () => {
    const { engine, shell } = setup();
    let release!: () => void;
    engine.reportGate = new Promise((resolve) => (release = resolve));
    await shell.action('report');
    const first = shell.submitReport('I saw something upsetting');
    const second = await shell.submitReport('I saw something upsetting');
    expect(second).toEqual({ ok: false, message: REPORT_MESSAGES.busy });
    release();
    expect(await first).toMatchObject({ ok: true });
    expect(engine.reports).toHaveLength(1);
  });

  it('still sends the report when the screenshot could not be taken (the engine takes one then)', async () => {
    const { engine, shell, logs } = setup();
    engine.failEvidence = true;
    await shell.action('report');
    expect(await shell.submitReport('help')).toMatchObject({ ok: true });
    expect(engine.reports[0]!.evidence).toBeNull();
    expect(logs.map((l) => l.event)).toContain('report.evidence_failed');
  });

  it('keeps the window and the words when saving fails, and says so kindly', async () => {
    const { engine, shell, view } = setup();
    engine.failReport = true;
    await shell.action('report');
    expect(await shell.submitReport('help')).toEqual({ ok: false, message: REPORT_MESSAGES.failed });
    expect(view.open.has('report')).toBe(true);
    engine.failReport = false;
    expect(await shell.submitReport('help')).toMatchObject({ ok: true });
  });

  it('drops the evidence when the window is closed without sending; a report sent later takes new evidence', async () => {
    const { engine, shell } = setup();
    await shell.action('report');
    shell.windowClosed('report');
    expect(await shell.submitReport('late')).toEqual({ ok: false, message: REPORT_MESSAGES.closed });
    await shell.action('report');
    await shell.submitReport('now');
    expect(engine.reports).toEqual([{ text: 'now', evidence: { takenAt: '2026-11-25T10:00:02.000Z' } }]);
  });

  it('never logs what the pupil wrote', async () => {
    const { shell, logs, engine } = setup();
    await shell.action('report');
    engine.failReport = true;
    await shell.submitReport('my secret words');
    engine.failReport = false;
    await shell.submitReport('my secret words');
    expect(JSON.stringify(logs)).not.toContain('secret');
  });
});

describe('TrayShell: support card', () => {
  it('shows for a severity 4+ capture in suicide, self-harm or eating disorders, at most once an hour', () => {
    const { engine, view, shown, advance } = setup();
    engine.capture({ categories: ['self-harm'], maxSeverity: 4 });
    expect(view.opened).toEqual(['support']);
    expect(shown).toEqual([NOW]);
    advance(SUPPORT_CARD_INTERVAL_MS - 1000);
    engine.capture({ categories: ['suicide'], maxSeverity: 5 });
    expect(view.opened).toEqual(['support']);
    advance(1000);
    engine.capture({ categories: ['eating-disorders'], maxSeverity: 4 });
    expect(view.opened).toEqual(['support', 'support']);
  });

  it.each([
    ['a lower severity', { categories: ['suicide'], maxSeverity: 3 }],
    ['another category', { categories: ['bullying', 'violence'], maxSeverity: 5 }],
    ['the pupil’s own report', { source: 'report' as const, categories: ['report'], maxSeverity: 4 }],
    ['an admin’s test capture', { source: 'test' as const, categories: ['suicide'], maxSeverity: 5 }],
  ])('does not show for %s', (_name, notice) => {
    const { engine, view } = setup();
    engine.capture(notice);
    expect(view.opened).toEqual([]);
  });

  it('does not show when the school’s policy turns it off', () => {
    const { engine, view } = setup();
    engine.update({}, { supportCard: false });
    engine.capture({ categories: ['suicide'], maxSeverity: 5 });
    expect(view.opened).toEqual([]);
  });

  it('remembers the last time across a restart', () => {
    const { engine, view } = setup({ supportCardShownAt: NOW - 10 * 60_000 });
    engine.capture({ categories: ['suicide'], maxSeverity: 5 });
    expect(view.opened).toEqual([]);
  });

  it('is gentle, UK, and gives the helplines', () => {
    const { shell } = setup();
    const view = shell.pageView('support');
    const text = JSON.stringify(view);
    for (const must of ['trusted adult', 'Childline', '0800 1111', 'Samaritans', '116 123', 'Shout', '85258']) {
      expect(text).toContain(must);
    }
    // Non-accusing: it never says what was seen or that anyone is in trouble.
    expect(text).not.toMatch(/detected|caught|searched|typed|monitor|report(ed)? to|trouble/i);
  });
});

describe('TrayShell: privacy notice', () => {
  it('opens from the menu and shows the school’s text in paragraphs', async () => {
    const { engine, view, shell } = setup();
    engine.update(
      {},
      { privacyNotice: 'Oak Academy monitors this laptop.\n\nAsk Ms Patel, our DSL,\nif you have questions.' },
    );
    await shell.action('privacy');
    expect(view.opened).toEqual(['privacy']);
    expect(shell.pageView('privacy')).toEqual({
      page: 'privacy',
      content: {
        title: 'How this device is monitored',
        paragraphs: ['Oak Academy monitors this laptop.', 'Ask Ms Patel, our DSL, if you have questions.'],
      },
    });
  });

  it('falls back to the default notice when the school has not written one', () => {
    const { engine, shell } = setup();
    engine.update({}, { privacyNotice: '  ' });
    const view = shell.pageView('privacy');
    expect(view.page === 'privacy' && view.content.paragraphs[0]).toMatch(/^This device is monitored for safeguarding/);
  });
});
