import {
  sqlGet,
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
  type TestUser,
} from '../test-support/harness';
import { FakeCron, FakeTimers } from '../test-support/fake-schedulers';
import { startTestSmtp, type TestSmtp } from '../test-support/smtp-test-server';
import { parseIsoWeek } from './week';

interface SettingsView {
  recipients: { email: string; role: string }[];
  alertRecipients: { email: string; role: string }[];
  summaryRoles: string[];
  alertRoles: string[];
  summaryExtraEmails: string[];
  alertExtraEmails: string[];
}

/** Per-school recipients of the weekly summary, alerts and the digest, over a real SMTP conversation. */
describe('summary and alert recipients per school', () => {
  let smtp: TestSmtp;
  let h: Harness;
  let now = new Date('2026-10-26T08:00:00Z');
  const timers = new FakeTimers();
  let oak: { id: string; organisationId: string };
  let elm: { id: string };
  let dslA: TestUser;
  let deputyA: TestUser;
  let headA: TestUser;
  let dsl: SignedIn;
  let head: SignedIn;
  let deputy: SignedIn;
  let itAdmin: SignedIn;
  let orgAdmin: SignedIn;
  let elmAdmin: SignedIn;
  let device: { deviceId: string; auth: string };

  beforeAll(async () => {
    smtp = await startTestSmtp();
    h = await startHarness(
      {
        VIGIL_SMTP_URL: smtp.url,
        VIGIL_SMTP_FROM: 'Vigil <vigil@oak.sch.uk>',
        VIGIL_PUBLIC_URL: 'https://vigil.test',
        VIGIL_LOGIN_RATE_PER_MINUTE: '1000',
      },
      {
        clock: { now: () => now },
        summary: { timers, cron: new FakeCron(), retry: { sleep: async () => {}, baseDelayMs: 0 } },
      },
    );
    const created = new Date('2026-10-01T09:00:00Z');
    oak = await h.app.repos.schools.create('Oak Academy', created);
    elm = await h.app.repos.schools.create('Elm Primary', created);
    dslA = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id });
    deputyA = await createUser(h.app, 'deputy@oak.sch.uk', 'deputy_dsl', { schoolId: oak.id });
    headA = await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak.id });
    dsl = await signIn(h.app, dslA);
    deputy = await signIn(h.app, deputyA);
    head = await signIn(h.app, headA);
    itAdmin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak.id }));
    orgAdmin = await signIn(
      h.app,
      await createUser(h.app, 'trust@oak.org.uk', 'org_admin', { organisationId: oak.organisationId }),
    );
    elmAdmin = await signIn(h.app, await createUser(h.app, 'it@elm.sch.uk', 'school_admin', { schoolId: elm.id }));
    await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: elm.id });
    device = await enrolDevice(h.app, (await h.app.repos.schools.byId(oak.id))!.enrolmentToken);
  });
  afterAll(async () => {
    await h.close();
    await smtp.close();
  });

  const url = () => `/api/schools/${oak.id}/summary-settings`;
  const put = (who: SignedIn, payload: object, schoolId = oak.id) =>
    h.app.inject({ method: 'PUT', url: `/api/schools/${schoolId}/summary-settings`, headers: who.write, payload });

  /** A severity-5 capture on Oak's device, its batch timer fired; returns the alert email. */
  const alertFor = async (capturedAt: string) => {
    await h.app.alerts.drain();
    const firstTimer = timers.scheduled.length;
    const before = smtp.received.length;
    await uploadCapture(h.app, device, { capturedAt, user: 'john.smith' });
    const timer = timers.scheduled[firstTimer]!;
    now = new Date(now.getTime() + timer.ms);
    timer.fn();
    await h.app.alerts.drain();
    await smtp.waitFor(before + 1);
    return smtp.received.at(-1)!;
  };

  it('a school that adds heads to alerts and an extra address to the summary: the head is alerted, the inbox gets the summary', async () => {
    const res = await put(dsl, {
      alertRoles: ['dsl', 'deputy_dsl', 'head'],
      summaryExtraEmails: [' Safeguarding@Oak.sch.uk ', 'safeguarding@oak.sch.uk'],
    });
    expect(res.statusCode).toBe(200);
    const view = res.json<SettingsView>();
    // Roles come back in one fixed order, whatever order they were sent in.
    expect(view).toMatchObject({
      alertRoles: ['head', 'dsl', 'deputy_dsl'],
      summaryRoles: ['head', 'dsl', 'deputy_dsl'],
      summaryExtraEmails: ['safeguarding@oak.sch.uk'],
      alertExtraEmails: [],
    });
    expect(view.recipients).toContainEqual({ email: 'safeguarding@oak.sch.uk', role: 'extra' });
    expect(view.alertRecipients).toContainEqual({ email: headA.email, role: 'head' });

    const alert = await alertFor('2026-10-26T07:55:00Z');
    expect(alert.envelopeTo.sort()).toEqual([deputyA.email, dslA.email, headA.email].sort());

    const before = smtp.received.length;
    expect(await h.app.summaries.run(oak.id, parseIsoWeek('2026-W43')!)).toMatchObject({ send: 'sent' });
    await smtp.waitFor(before + 1);
    expect(smtp.received.at(-1)!.envelopeTo.sort()).toEqual(
      [deputyA.email, dslA.email, headA.email, 'safeguarding@oak.sch.uk'].sort(),
    );
    const audit = (await sqlAll(
      h.app,
      "SELECT actor_label, details_json FROM audit_log WHERE action = 'summary.settings_update' AND school_id = ?",
      oak.id,
    )) as { actor_label: string; details_json: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_label).toBe(dslA.email);
    expect(JSON.parse(audit[0]!.details_json)).toMatchObject({
      alertRoles: 'head,dsl,deputy_dsl',
      summaryExtraEmails: 'safeguarding@oak.sch.uk',
    });
  });

  it('role changes take effect at the next send: summary and alerts to the DSL only, the digest to a shared inbox too', async () => {
    expect((await put(itAdmin, { summaryRoles: ['dsl'], summaryExtraEmails: [] })).statusCode).toBe(200);
    expect((await put(orgAdmin, { alertRoles: ['dsl'], alertExtraEmails: ['dsl-team@oak.sch.uk'] })).statusCode).toBe(
      200,
    );
    let before = smtp.received.length;
    await h.app.summaries.run(oak.id, parseIsoWeek('2026-W42')!);
    await smtp.waitFor(before + 1);
    expect(smtp.received.at(-1)!.envelopeTo).toEqual([dslA.email]);

    const alert = await alertFor('2026-10-26T07:59:00Z');
    expect(alert.envelopeTo.sort()).toEqual([dslA.email, 'dsl-team@oak.sch.uk'].sort());

    // The daily digest (severity 3) goes to the alert recipients too.
    await h.app.summaryStore.saveSettings({ ...(await h.app.summaryStore.settings(oak.id)), dailyDigest: true }, now);
    now = new Date('2026-11-04T12:00:00Z');
    await uploadCapture(h.app, device, {
      capturedAt: '2026-11-04T10:00:00Z',
      severity: 3,
      matches: [{ entryId: 'b.loser', phrase: 'loser', category: 'bullying', severity: 3, start: 0, end: 5 }],
      context: 'loser',
    });
    await h.app.alerts.drain();
    now = new Date('2026-11-05T08:00:00Z');
    before = smtp.received.length;
    await h.app.alerts.digestCatchUp(now);
    await smtp.waitFor(before + 1);
    const digest = smtp.received.at(-1)!;
    expect(digest.parsed.subject).toContain('daily digest');
    expect(digest.envelopeTo.sort()).toEqual([dslA.email, 'dsl-team@oak.sch.uk'].sort());
    // Back to the day the sessions were signed in on (a week later they would have expired).
    now = new Date('2026-10-26T08:10:00Z');
  });

  it('refuses a list left with nobody, a bad address, more than 20, an unknown role: 400, nothing changed', async () => {
    const before = await h.app.summaryStore.settings(oak.id);
    const audits = async () =>
      (
        (await sqlGet(h.app, "SELECT count(*) AS n FROM audit_log WHERE action = 'summary.settings_update'")) as {
          n: number;
        }
      ).n;
    const auditsBefore = await audits();
    const cases: [object, string][] = [
      [{ summaryRoles: [], summaryExtraEmails: [] }, 'The weekly summary needs at least one recipient'],
      [{ alertRoles: [], alertExtraEmails: [] }, 'Alerts and the daily digest need at least one recipient'],
      [{ summaryExtraEmails: ['not-an-address'] }, '"not-an-address" is not an email address'],
      [{ summaryExtraEmails: Array.from({ length: 21 }, (_, i) => `p${i}@oak.sch.uk`) }, 'at most 20 addresses'],
      [{ alertRoles: ['org_admin'] }, ''],
    ];
    for (const [payload, message] of cases) {
      const res = await put(dsl, payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().code).toBe('CONSOLE_ERR_VALIDATION');
      expect(res.json().message).toContain(message);
    }
    // Elm has no head: a role nobody holds at the school reaches nobody.
    const elmRes = await put(elmAdmin, { alertRoles: ['head'] }, elm.id);
    expect(elmRes.statusCode).toBe(400);
    expect(elmRes.json().message).toContain('at least one recipient');
    expect(await h.app.summaryStore.settings(oak.id)).toEqual(before);
    expect(await audits()).toBe(auditsBefore);
  });

  it('keeps schools apart and lets only org_admin, school_admin and dsl write (head reads; deputy neither)', async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const res = await h.app.inject({
        method,
        url: url(),
        headers: method === 'GET' ? elmAdmin.get : elmAdmin.write,
        ...(method === 'PUT' ? { payload: { alertRoles: ['dsl'] } } : {}),
      });
      expect({ method, status: res.statusCode }).toEqual({ method, status: 404 });
    }
    for (const who of [orgAdmin, itAdmin, dsl, head]) {
      expect((await h.app.inject({ method: 'GET', url: url(), headers: who.get })).statusCode).toBe(200);
    }
    expect((await h.app.inject({ method: 'GET', url: url(), headers: deputy.get })).statusCode).toBe(403);
    const before = await h.app.summaryStore.settings(oak.id);
    for (const who of [head, deputy]) {
      expect((await put(who, { summaryRoles: ['head'] })).statusCode).toBe(403);
    }
    expect(await h.app.summaryStore.settings(oak.id)).toEqual(before);
    for (const who of [orgAdmin, itAdmin, dsl]) {
      expect((await put(who, { summaryRoles: ['head', 'dsl'] })).statusCode).toBe(200);
    }
  });
});
