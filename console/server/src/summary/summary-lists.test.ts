import { sqlAll, createUser, signIn, startHarness, type Harness, type SignedIn } from '../test-support/harness';
import { renderSummaryHtml, renderSummaryText } from './summary-render';
import { isoWeekOf, weekBefore } from './week';

/** The weekly summary's "keyword-list changes published" section, and the school summary-settings route. */
describe('summary: keyword-list changes and school summary settings', () => {
  let h: Harness;
  let oak: { id: string };
  let dsl: SignedIn;
  let head: SignedIn;
  let admin: SignedIn;
  let deputy: SignedIn;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' }, { summary: { mailer: null } });
    oak = await h.app.repos.schools.create('Oak Academy', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak.id }));
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak.id }));
    deputy = await signIn(h.app, await createUser(h.app, 'deputy@oak.sch.uk', 'deputy_dsl', { schoolId: oak.id }));
  });
  afterAll(() => h.close());

  const publish = async (draft: object, changelog: string) => {
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${oak.id}/lists/draft`,
      headers: dsl.write,
      payload: draft,
    });
    expect(put.statusCode).toBe(200);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/schools/${oak.id}/lists/publish`,
      headers: dsl.write,
      payload: { changelog },
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ version: number }>();
  };

  it('lists the versions published that week, with their changelog, and not those of other weeks', async () => {
    await publish({ disabledCategories: ['gambling'] }, 'Gambling off: sixth-form maths unit on probability');
    // A version published two weeks ago belongs to that week's summary only.
    await sqlAll(
      h.app,
      'UPDATE keyword_list_versions SET published_at = ? WHERE version = 1 AND school_id = ?',
      new Date(Date.now() - 14 * 86_400_000).toISOString(),
      oak.id,
    );
    await publish(
      { disabledCategories: [], localPhrases: [{ phrase: 'Oak Lane Crew', category: 'violence', severity: 4 }] },
      'Local gang name added',
    );

    const week = isoWeekOf(new Date());
    const s = await h.app.summaries.build(oak.id, week);
    expect(s.keywordListChanges).toEqual([
      { version: '2', publishedAt: expect.any(String), changelog: 'Local gang name added' },
    ]);
    expect(renderSummaryText(s)).toContain('Local gang name added');
    expect(renderSummaryHtml(s)).toContain('Local gang name added');
    expect(renderSummaryText(s)).not.toContain('probability');
    // The phrase itself is in the lists, not in the summary: only the changelog the editor wrote.
    expect(renderSummaryText(s)).not.toContain('Oak Lane Crew');

    const earlier = await h.app.summaries.build(oak.id, weekBefore(week, 2));
    expect(earlier.keywordListChanges.map((k) => k.version)).toEqual(['1']);
    expect(renderSummaryText(await h.app.summaries.build(oak.id, weekBefore(week, 1)))).toMatch(
      /keyword-list changes published[\s\S]*None this week\./i,
    );
  });

  it('GET /api/schools/:id/summary-settings shows the defaults, recipients by role and that email is not configured', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/schools/${oak.id}/summary-settings`,
      headers: head.get,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sendDay: 'monday',
      sendTime: '07:00',
      recipients: [
        { email: 'deputy@oak.sch.uk', role: 'deputy_dsl' },
        { email: 'dsl@oak.sch.uk', role: 'dsl' },
        { email: 'head@oak.sch.uk', role: 'head' },
      ],
      alertRecipients: [
        { email: 'deputy@oak.sch.uk', role: 'deputy_dsl' },
        { email: 'dsl@oak.sch.uk', role: 'dsl' },
      ],
      summaryRoles: ['head', 'dsl', 'deputy_dsl'],
      alertRoles: ['dsl', 'deputy_dsl'],
      summaryExtraEmails: [],
      alertExtraEmails: [],
      includeNames: false,
      alertSeverity: 4,
      dailyDigest: false,
      emailConfigured: false,
    });
  });

  it('PUT changes what it is given, is audited, and the summary then uses it', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${oak.id}/summary-settings`,
      headers: admin.write,
      payload: { sendTime: '08:30', includeNames: true, alertSeverity: 3, dailyDigest: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sendTime: '08:30', includeNames: true, alertSeverity: 3, dailyDigest: true });
    expect(await h.app.summaryStore.settings(oak.id)).toMatchObject({
      summaryTime: '08:30',
      showNames: true,
      alertSeverity: 3,
      dailyDigest: true,
    });
    expect((await h.app.summaries.build(oak.id, isoWeekOf(new Date()))).namesShown).toBe(true);
    const audit = await sqlAll(
      h.app,
      "SELECT actor_label FROM audit_log WHERE action = 'summary.settings_update' AND school_id = ?",
      oak.id,
    );
    expect(audit).toEqual([{ actor_label: 'it@oak.sch.uk' }]);
  });

  it('refuses bad input with 400 and changes nothing; deputies and heads may not change it', async () => {
    const before = await h.app.summaryStore.settings(oak.id);
    for (const payload of [
      { sendTime: '25:00' },
      { alertSeverity: 0 },
      { sendDay: 'friday' },
      { dailyDigest: 'yes' },
    ]) {
      const res = await h.app.inject({
        method: 'PUT',
        url: `/api/schools/${oak.id}/summary-settings`,
        headers: dsl.write,
        payload,
      });
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().code).toBe('CONSOLE_ERR_VALIDATION');
    }
    for (const who of [head, deputy]) {
      const res = await h.app.inject({
        method: 'PUT',
        url: `/api/schools/${oak.id}/summary-settings`,
        headers: who.write,
        payload: { includeNames: false },
      });
      expect(res.statusCode).toBe(403);
    }
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/schools/${oak.id}/summary-settings`, headers: deputy.get }))
        .statusCode,
    ).toBe(403);
    expect(await h.app.summaryStore.settings(oak.id)).toEqual(before);
  });
});
