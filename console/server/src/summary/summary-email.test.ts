import {
  sqlGet,
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type TestUser,
} from '../test-support/harness';
import { FakeCron, FakeTimers } from '../test-support/fake-schedulers';
import { startTestSmtp, type TestSmtp } from '../test-support/smtp-test-server';
import { parseIsoWeek } from './week';
import { buildApp } from '../app';
import { loadConfig } from '../config';

const CONTEXT = 'i want kill myself now';

describe('weekly summaries and alerts over a real SMTP conversation', () => {
  let smtp: TestSmtp;
  let h: Harness;
  // Monday 26 October 2026, 08:00 London (GMT): last week's summary (2026-W43) is due.
  let now = new Date('2026-10-26T08:00:00Z');
  const timers = new FakeTimers();
  const cron = new FakeCron();
  let schoolA: string;
  let schoolB: string;
  let dslA: TestUser;
  let deputyA: TestUser;
  let headA: TestUser;
  let adminA: TestUser;
  let dslB: TestUser;
  let deputyB: TestUser;
  let deviceB: { deviceId: string; auth: string };

  beforeAll(async () => {
    smtp = await startTestSmtp();
    h = await startHarness(
      { VIGIL_SMTP_URL: smtp.url, VIGIL_SMTP_FROM: 'Vigil <vigil@oak.sch.uk>', VIGIL_PUBLIC_URL: 'https://vigil.test' },
      { clock: { now: () => now }, summary: { timers, cron, retry: { sleep: async () => {}, baseDelayMs: 0 } } },
    );
    const created = new Date('2026-10-01T09:00:00Z');
    const a = await h.app.repos.schools.create('Oak Academy', created);
    const b = await h.app.repos.schools.create('Elm Primary', created);
    schoolA = a.id;
    schoolB = b.id;
    dslA = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: schoolA });
    deputyA = await createUser(h.app, 'deputy@oak.sch.uk', 'deputy_dsl', { schoolId: schoolA });
    headA = await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: schoolA });
    adminA = await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: schoolA });
    dslB = await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: schoolB });
    deputyB = await createUser(h.app, 'deputy@elm.sch.uk', 'deputy_dsl', { schoolId: schoolB });
    await createUser(h.app, 'head@elm.sch.uk', 'head', { schoolId: schoolB });

    const deviceA = await enrolDevice(h.app, a.enrolmentToken);
    deviceB = await enrolDevice(h.app, b.enrolmentToken);
    for (const [at, user] of [
      ['2026-10-20T10:00:00Z', 'john.smith'],
      ['2026-10-21T10:00:00Z', 'john.smith'],
      ['2026-10-14T10:00:00Z', 'pupil01'],
    ] as const) {
      await uploadCapture(h.app, deviceA, { capturedAt: at, user });
    }
  });
  afterAll(async () => {
    await h.close();
    await smtp.close();
  });

  const sends = (summaryId: string) => h.app.summaryStore.summarySends(summaryId);

  it('emails the heads and DSLs an HTML and plain-text summary with its PDF, and no captured text or screenshot', async () => {
    const result = await h.app.summaries.run(schoolA, parseIsoWeek('2026-W43')!);
    expect(result).toMatchObject({ created: true, send: 'sent' });
    await smtp.waitFor(1);
    const mail = smtp.received[0]!;
    expect(mail.envelopeTo.sort()).toEqual([deputyA.email, dslA.email, headA.email].sort());
    expect(mail.envelopeTo).not.toContain(adminA.email);
    expect(mail.parsed.subject).toContain('Oak Academy');
    expect(mail.parsed.subject).toContain('2026-W43');
    // Two this week and one from the week before, all still unreviewed.
    expect(mail.parsed.text).toContain('3 severity-5 captures are still unreviewed.');
    expect(mail.parsed.html).toContain('<table');
    expect(mail.parsed.html).toContain(`https://vigil.test/captures/`);
    expect(mail.parsed.text).toContain('J.S');
    expect(mail.parsed.text).not.toContain('john.smith');
    expect(mail.parsed.attachments).toHaveLength(1);
    const pdf = mail.parsed.attachments[0]!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.filename).toBe('vigil-summary-2026-W43.pdf');
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    for (const body of [mail.parsed.text ?? '', String(mail.parsed.html), mail.raw]) {
      expect(body).not.toContain(CONTEXT);
      expect(body).not.toMatch(/image\/(webp|png|jpeg)/);
    }
    expect(await sends(result.summary.id)).toEqual([
      expect.objectContaining({ outcome: 'sent', attempts: 1, recipients: 3, error: null }),
    ]);
  });

  it('sends once when the same week is built twice', async () => {
    const before = smtp.received.length;
    const again = await h.app.summaries.run(schoolA, parseIsoWeek('2026-W43')!);
    expect(again).toMatchObject({ created: false, send: 'already' });
    expect(smtp.received.length).toBe(before);
    expect(await sends(again.summary.id)).toHaveLength(1);
    const rows = (await sqlGet(h.app, 'SELECT COUNT(*) AS n FROM summaries WHERE school_id = ?', schoolA)) as {
      n: number;
    };
    expect(rows.n).toBe(1);
  });

  it('retries a temporary SMTP failure (451) and records the summary as sent', async () => {
    const before = smtp.received.length;
    smtp.failNext.push(451);
    const result = await h.app.summaries.run(schoolA, parseIsoWeek('2026-W42')!);
    expect(result.send).toBe('sent');
    await smtp.waitFor(before + 1);
    expect(await sends(result.summary.id)).toEqual([expect.objectContaining({ outcome: 'sent', attempts: 2 })]);
    expect((await h.app.summaryStore.byId(result.summary.id))!.sendState).toBe('sent');
  });

  it('records a permanent SMTP failure (550) as failed without retrying', async () => {
    const before = smtp.received.length;
    smtp.failNext.push(550);
    const result = await h.app.summaries.run(schoolA, parseIsoWeek('2026-W41')!);
    expect(result.send).toBe('failed');
    expect(await sends(result.summary.id)).toEqual([
      expect.objectContaining({ outcome: 'failed', attempts: 1, error: 'SMTP 550' }),
    ]);
    expect(smtp.received.length).toBe(before);
  });

  it('batches severity-5 captures arriving together into one alert to the DSLs, with links and no context', async () => {
    await h.app.alerts.drain(); // school A's alert from the set-up goes first
    const firstTimer = timers.scheduled.length;
    const before = smtp.received.length;
    const metas = [];
    for (let i = 0; i < 3; i++) {
      metas.push(await uploadCapture(h.app, deviceB, { capturedAt: `2026-10-26T07:5${i}:00Z`, user: 'a.jones' }));
    }
    await uploadCapture(h.app, deviceB, {
      capturedAt: '2026-10-26T07:59:00Z',
      severity: 2,
      matches: [{ entryId: 'g.bet', phrase: 'bet', category: 'gambling', severity: 2, start: 0, end: 3 }],
      context: 'bet on it',
    });
    const batch = timers.scheduled.slice(firstTimer);
    expect(batch).toHaveLength(1);
    expect(batch[0]!.ms).toBeLessThanOrEqual(60_000);
    expect(smtp.received.length).toBe(before);

    // The batch window closes on the injected clock; the email leaves within 60 s of the first capture.
    const firstArrived = now.getTime();
    now = new Date(firstArrived + batch[0]!.ms);
    batch[0]!.fn();
    await h.app.alerts.drain();
    await smtp.waitFor(before + 1);
    expect(smtp.received.length).toBe(before + 1);
    const mail = smtp.received.at(-1)!;
    expect(mail.envelopeTo.sort()).toEqual([deputyB.email, dslB.email].sort());
    expect(mail.parsed.subject).toContain('3 captures');
    for (const m of metas) expect(mail.parsed.text).toContain(`https://vigil.test/captures/${m.id}`);
    expect(mail.parsed.text).toContain('A.J');
    expect(mail.parsed.text).not.toContain(CONTEXT);
    expect(String(mail.parsed.html)).not.toContain(CONTEXT);
    expect(mail.parsed.attachments).toHaveLength(0);
    expect(await h.app.summaryStore.alertSends(schoolB)).toEqual([
      expect.objectContaining({
        outcome: 'sent',
        kind: 'immediate',
        captureIds: metas.map((m) => m.id),
        recipients: 2,
      }),
    ]);
    expect(Date.parse((await h.app.summaryStore.alertSends(schoolB))[0]!.at) - firstArrived).toBeLessThanOrEqual(
      60_000,
    );
  });

  it("alerts only at or above the school's alert severity", async () => {
    const settings = await h.app.summaryStore.settings(schoolB);
    await h.app.summaryStore.saveSettings({ ...settings, alertSeverity: 5 }, now);
    const firstTimer = timers.scheduled.length;
    await uploadCapture(h.app, deviceB, {
      capturedAt: '2026-10-26T07:58:00Z',
      severity: 4,
      matches: [{ entryId: 'w.knife', phrase: 'knife', category: 'violence', severity: 4, start: 0, end: 5 }],
      context: 'knife in my bag',
    });
    expect(timers.scheduled.length).toBe(firstTimer);
    await uploadCapture(h.app, deviceB, { capturedAt: '2026-10-26T07:58:30Z' });
    expect(timers.scheduled.length).toBe(firstTimer + 1);
    await h.app.summaryStore.saveSettings(settings, now);
    await h.app.alerts.drain();
  });

  it('catches up on start: on Wednesday with no summary for last week, starting the scheduler builds it', async () => {
    now = new Date('2026-11-04T12:00:00Z');
    expect(await h.app.summaryStore.byWeek(schoolA, '2026-W44')).toBeUndefined();
    const before = smtp.received.length;
    await h.app.summaryScheduler.start();
    expect(cron.jobs).toEqual([{ pattern: '0 * * * * *', timeZone: 'Europe/London', stopped: false }]);
    expect((await h.app.summaryStore.byWeek(schoolA, '2026-W44'))?.sendState).toBe('sent');
    expect((await h.app.summaryStore.byWeek(schoolB, '2026-W44'))?.sendState).toBe('sent');
    await smtp.waitFor(before + 2);
    await h.app.summaryScheduler.tick();
    expect(smtp.received.length).toBe(before + 2);
    await h.app.summaryScheduler.stop();
    expect(cron.jobs[0]!.stopped).toBe(true);
  });

  it('sends the daily digest of severity-3 captures once a day to the DSLs of a school that opts in', async () => {
    await h.app.summaryStore.saveSettings(
      { ...(await h.app.summaryStore.settings(schoolB)), dailyDigest: true },
      new Date('2026-11-01T00:00:00Z'),
    );
    now = new Date('2026-11-05T08:00:00Z');
    const bully = {
      severity: 3,
      matches: [{ entryId: 'b.loser', phrase: 'loser', category: 'bullying', severity: 3, start: 0, end: 5 }],
      context: 'loser you are, nobody likes you',
    };
    const counted = await uploadCapture(h.app, deviceB, { ...bully, capturedAt: '2026-11-04T10:00:00Z' });
    const dayBefore = await uploadCapture(h.app, deviceB, { ...bully, capturedAt: '2026-11-03T10:00:00Z' });
    await h.app.alerts.drain();
    const before = smtp.received.length;

    await h.app.summaryScheduler.tick();
    await smtp.waitFor(before + 1);
    const mail = smtp.received.at(-1)!;
    expect(mail.parsed.subject).toContain('daily digest');
    expect(mail.envelopeTo.sort()).toEqual([deputyB.email, dslB.email].sort());
    expect(mail.parsed.text).toContain(`/captures/${counted.id}`);
    expect(mail.parsed.text).not.toContain(dayBefore.id);
    expect(mail.parsed.text).not.toContain('nobody likes you');
    expect((await h.app.summaryStore.alertSends(schoolB)).filter((a) => a.kind === 'digest')).toEqual([
      expect.objectContaining({ outcome: 'sent', captureIds: [counted.id] }),
    ]);

    await h.app.summaryScheduler.tick();
    expect(smtp.received.length).toBe(before + 1);
  });

  describe('the dashboard API', () => {
    it('lists the summaries of the user’s schools and serves one with its HTML and PDF', async () => {
      const s = await signIn(h.app, headA);
      const list = await h.app.inject({ method: 'GET', url: '/api/summaries', headers: s.get });
      expect(list.statusCode).toBe(200);
      const items = list.json<{ items: { id: string; schoolId: string; week: string; sendState: string }[] }>().items;
      expect(items.map((i) => i.week)).toEqual(['2026-W44', '2026-W43', '2026-W42', '2026-W41']);
      expect(items.every((i) => i.schoolId === schoolA)).toBe(true);
      const w43 = items.find((i) => i.week === '2026-W43')!;
      expect(w43.sendState).toBe('sent');

      const one = await h.app.inject({ method: 'GET', url: `/api/summaries/${w43.id}`, headers: s.get });
      expect(one.statusCode).toBe(200);
      expect(one.json().data).toMatchObject({ week: '2026-W43', schoolName: 'Oak Academy' });
      expect(one.json().html).toContain('<table');
      expect(one.body).not.toContain(CONTEXT);

      const pdf = await h.app.inject({ method: 'GET', url: `/api/summaries/${w43.id}/pdf`, headers: s.get });
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const audited = (await sqlAll(
        h.app,
        `SELECT action FROM audit_log WHERE target_id = ? ORDER BY at, id`,
        w43.id,
      )) as { action: string }[];
      expect(audited.map((r) => r.action)).toEqual(['summary.view', 'summary.pdf']);

      const settings = await h.app.inject({ method: 'GET', url: '/api/summary-settings', headers: s.get });
      expect(settings.json()).toEqual({
        emailConfigured: true,
        recipients: [{ schoolId: schoolA, emails: [deputyA.email, dslA.email, headA.email].sort() }],
        schools: [{ schoolId: schoolA, summaryTime: '07:00', alertSeverity: 4, dailyDigest: false, showNames: false }],
      });
    });

    it('answers 404 for another school’s summary, 403 to roles that may not read summaries, 401 signed out', async () => {
      const otherSchool = (await h.app.summaryStore.byWeek(schoolA, '2026-W43'))!;
      const b = await signIn(h.app, dslB);
      for (const url of [`/api/summaries/${otherSchool.id}`, `/api/summaries/${otherSchool.id}/pdf`]) {
        expect((await h.app.inject({ method: 'GET', url, headers: b.get })).statusCode).toBe(404);
      }
      const admin = await signIn(h.app, adminA);
      expect((await h.app.inject({ method: 'GET', url: '/api/summaries', headers: admin.get })).statusCode).toBe(403);
      expect((await h.app.inject({ method: 'GET', url: `/api/summaries/${otherSchool.id}` })).statusCode).toBe(401);
    });
  });
});

describe('summaries without email configured', () => {
  it('still builds and keeps the summary, and says email is not configured', async () => {
    const h = await startHarness({}, { clock: { now: () => new Date('2026-10-26T08:00:00Z') } });
    try {
      const school = await h.app.repos.schools.create('Ash School', new Date('2026-10-01T00:00:00Z'));
      const dsl = await createUser(h.app, 'dsl@ash.sch.uk', 'dsl', { schoolId: school.id });
      const result = await h.app.summaries.run(school.id, parseIsoWeek('2026-W43')!);
      expect(result).toMatchObject({ created: true, send: 'not_configured' });
      expect((await h.app.summaryStore.byWeek(school.id, '2026-W43'))?.data.week).toBe('2026-W43');
      const s = await signIn(h.app, dsl);
      const settings = await h.app.inject({ method: 'GET', url: '/api/summary-settings', headers: s.get });
      expect(settings.json()).toMatchObject({ emailConfigured: false });
      const school_ = await h.app.inject({
        method: 'GET',
        url: `/api/schools/${school.id}/summary-settings`,
        headers: s.get,
      });
      expect(school_.json()).toMatchObject({ emailConfigured: false });
    } finally {
      await h.close();
    }
  });
});

describe('alerts after a restart', () => {
  it('re-sends the alert of a capture received just before the console stopped', async () => {
    const smtp = await startTestSmtp();
    const now = new Date('2026-10-26T08:00:00Z');
    const first = new FakeTimers();
    const h = await startHarness(
      { VIGIL_SMTP_URL: smtp.url },
      { clock: { now: () => now }, summary: { timers: first } },
    );
    try {
      const school = await h.app.repos.schools.create('Ash School', new Date('2026-10-01T00:00:00Z'));
      await createUser(h.app, 'dsl@ash.sch.uk', 'dsl', { schoolId: school.id });
      const device = await enrolDevice(h.app, school.enrolmentToken);
      const meta = await uploadCapture(h.app, device, { capturedAt: '2026-10-26T07:59:00Z' });
      expect(first.scheduled).toHaveLength(1); // the batch the "crashed" console never sent

      const later = new Date(now.getTime() + 5 * 60_000);
      const timers = new FakeTimers();
      const restarted = await buildApp(
        loadConfig(
          { ...h.databaseEnv, VIGIL_DATA_DIR: h.dataDir, VIGIL_LOG_LEVEL: 'silent', VIGIL_SMTP_URL: smtp.url },
          h.dataDir,
        ),
        { clock: { now: () => later }, summary: { timers, cron: new FakeCron(), retry: { sleep: async () => {} } } },
      );
      try {
        await restarted.summaryScheduler.start();
        expect(timers.scheduled).toHaveLength(1);
        timers.scheduled[0]!.fn();
        await restarted.alerts.drain();
        // The start also caught up last week's summary; the alert is the other email.
        await smtp.waitFor(2);
        const alert = smtp.received.find((m) => m.parsed.subject?.startsWith('Vigil alert'));
        expect(alert?.parsed.text).toContain(`/captures/${meta.id}`);
      } finally {
        await restarted.close();
      }
      first.scheduled.length = 0;
    } finally {
      await h.close();
      await smtp.close();
    }
  });
});
