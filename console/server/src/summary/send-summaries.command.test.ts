import { loadConfig } from '../config';
import { sqlAll, createUser, startHarness, type Harness } from '../test-support/harness';
import { startTestSmtp, type TestSmtp } from '../test-support/smtp-test-server';
import { SendSummariesError, sendSummariesCommand } from './send-summaries.command';
import { SummarySettingsError, summarySettingsCommand } from './summary-settings.command';

describe('send-summaries (the CLI command)', () => {
  let smtp: TestSmtp;
  let h: Harness;
  let schoolId: string;
  const clock = { now: () => new Date('2026-11-04T12:00:00Z') };
  const config = () =>
    loadConfig(
      { ...h.databaseEnv, VIGIL_DATA_DIR: h.dataDir, VIGIL_LOG_LEVEL: 'silent', VIGIL_SMTP_URL: smtp.url },
      h.dataDir,
    );

  beforeAll(async () => {
    smtp = await startTestSmtp();
    h = await startHarness();
    schoolId = (await h.app.repos.schools.create('Oak Academy', new Date('2026-10-01T00:00:00Z'))).id;
    await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId });
    // The CLI opens the same database file itself, as it does beside a running console.
  });
  afterAll(async () => {
    await h.close();
    await smtp.close();
  });

  it('--dry-run prints the summary and neither stores nor sends it', async () => {
    const rows = await sendSummariesCommand(config(), { schoolId, week: '2026-W44', dryRun: true }, clock);
    expect(rows).toEqual([
      expect.objectContaining({ schoolId, week: '2026-W44', summary: 'dry-run', recipients: ['dsl@oak.sch.uk'] }),
    ]);
    expect(rows[0]!.text).toContain('Vigil weekly summary, Oak Academy, week 2026-W44');
    expect(await h.app.summaryStore.byWeek(schoolId, '2026-W44')).toBeUndefined();
    expect(smtp.received).toHaveLength(0);
  });

  it('sends a summary kept while email was not configured once SMTP is set up', async () => {
    const noMail = loadConfig({ ...h.databaseEnv, VIGIL_DATA_DIR: h.dataDir, VIGIL_LOG_LEVEL: 'silent' }, h.dataDir);
    const kept = await sendSummariesCommand(noMail, { schoolId, week: '2026-W43' }, clock);
    expect(kept).toEqual([expect.objectContaining({ summary: 'built', send: 'not_configured' })]);
    const sent = await sendSummariesCommand(config(), { schoolId, week: '2026-W43' }, clock);
    expect(sent).toEqual([expect.objectContaining({ summary: 'existing', send: 'sent' })]);
    await smtp.waitFor(1);
    smtp.received.length = 0;
  });

  it('builds and sends the due week once, however often it runs', async () => {
    const first = await sendSummariesCommand(config(), { schoolId }, clock);
    expect(first).toEqual([expect.objectContaining({ week: '2026-W44', summary: 'built', send: 'sent' })]);
    await smtp.waitFor(1);
    const second = await sendSummariesCommand(config(), { schoolId, week: '2026-W44' }, clock);
    expect(second).toEqual([expect.objectContaining({ summary: 'existing', send: 'already' })]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelopeTo).toEqual(['dsl@oak.sch.uk']);
  });

  it('refuses a week that is not an ISO week and an unknown school', async () => {
    await expect(sendSummariesCommand(config(), { week: '2026-44' }, clock)).rejects.toBeInstanceOf(SendSummariesError);
    await expect(sendSummariesCommand(config(), { schoolId: 'nope' }, clock)).rejects.toThrow('No school with id nope');
  });

  it("summary-settings shows the defaults and changes a school's time, alert severity, digest and names", async () => {
    expect(await summarySettingsCommand(config(), { schoolId })).toEqual({
      schoolId,
      summaryTime: '07:00',
      alertSeverity: 4,
      dailyDigest: false,
      showNames: false,
      summaryRoles: ['head', 'dsl', 'deputy_dsl'],
      alertRoles: ['dsl', 'deputy_dsl'],
      summaryExtraEmails: [],
      alertExtraEmails: [],
      summaryRecipients: expect.any(Array),
      alertRecipients: expect.any(Array),
    });
    await summarySettingsCommand(config(), {
      schoolId,
      time: '06:30',
      alertSeverity: '5',
      dailyDigest: 'on',
      names: 'on',
    });
    expect(await h.app.summaryStore.settings(schoolId)).toMatchObject({
      summaryTime: '06:30',
      alertSeverity: 5,
      dailyDigest: true,
      showNames: true,
    });
  });

  it('summary-settings changes the recipients, audited as the CLI, and refuses a list left with nobody', async () => {
    const result = await summarySettingsCommand(config(), {
      schoolId,
      summaryRoles: 'head',
      summaryExtra: 'Safeguarding@oak.sch.uk, heads@oak.sch.uk',
      alertRoles: 'dsl,deputy_dsl',
    });
    // Oak has no head: the extra addresses are the summary's only recipients.
    expect(result.summaryRecipients).toEqual([
      { email: 'safeguarding@oak.sch.uk', role: 'extra' },
      { email: 'heads@oak.sch.uk', role: 'extra' },
    ]);
    expect(result.alertRecipients).toEqual([{ email: 'dsl@oak.sch.uk', role: 'dsl' }]);
    expect(await h.app.summaryStore.settings(schoolId)).toMatchObject({
      summaryRoles: ['head'],
      summaryExtraEmails: ['safeguarding@oak.sch.uk', 'heads@oak.sch.uk'],
    });
    const audit = (await sqlAll(
      h.app,
      "SELECT actor_label, details_json FROM audit_log WHERE action = 'summary.settings_update' AND school_id = ?",
      schoolId,
    )) as { actor_label: string; details_json: string }[];
    expect(audit.at(-1)!.actor_label).toBe('cli');
    expect(JSON.parse(audit.at(-1)!.details_json)).toMatchObject({ summaryRoles: 'head' });

    const before = await h.app.summaryStore.settings(schoolId);
    await expect(summarySettingsCommand(config(), { schoolId, summaryExtra: '' })).rejects.toThrow(
      'The weekly summary needs at least one recipient',
    );
    await expect(summarySettingsCommand(config(), { schoolId, alertRoles: 'head,caretaker' })).rejects.toThrow(
      '--alert-roles: "caretaker" is not a recipient role',
    );
    expect(await h.app.summaryStore.settings(schoolId)).toEqual(before);
  });

  it.each([{ time: '7am' }, { alertSeverity: '6' }, { dailyDigest: 'yes' }])(
    'summary-settings refuses %j',
    async (bad) => {
      await expect(summarySettingsCommand(config(), { schoolId, ...bad })).rejects.toThrow(SummarySettingsError);
    },
  );
});
