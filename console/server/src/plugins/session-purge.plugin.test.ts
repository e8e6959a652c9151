import { sqlGet, sqlAll, createUser, signIn, startHarness, type Harness } from '../test-support/harness';
import { SESSION_PURGE_SCHEDULE } from './session-purge.plugin';

/** The scheduled purge deletes expired and idle sessions and keeps live ones. */
describe('session purge', () => {
  let h: Harness;
  let now = new Date('2026-03-02T09:00:00.000Z');

  beforeAll(async () => {
    h = await startHarness(
      { VIGIL_SESSION_IDLE_MINUTES: '30', VIGIL_SESSION_MAX_HOURS: '12' },
      { clock: { now: () => now } },
    );
  });
  afterAll(() => h.close());

  const count = async () => ((await sqlGet(h.app, 'SELECT COUNT(*) AS n FROM sessions')) as { n: number }).n;

  it('is scheduled every 15 minutes while the console runs', () => {
    expect(h.app.sessionPurge.job.getPattern()).toBe(SESSION_PURGE_SCHEDULE);
    expect(h.app.sessionPurge.job.isRunning()).toBe(true);
  });

  it('deletes idle and expired sessions when it runs, keeps the live one, and audits the count', async () => {
    const schoolId = (await h.app.repos.schools.create('Oak Academy', now)).id;
    const user = await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId });
    await signIn(h.app, user); // will go idle
    await signIn(h.app, user); // will go idle
    now = new Date('2026-03-02T09:20:00.000Z');
    const live = await signIn(h.app, user);
    expect(await count()).toBe(3);

    now = new Date('2026-03-02T09:45:00.000Z'); // the first two idle for 45 minutes, the last for 25
    await h.app.sessionPurge.job.trigger();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await count()).toBe(1);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: live.get })).statusCode).toBe(200);

    // Past the absolute expiry, even a busy session goes.
    now = new Date('2026-03-02T21:21:00.000Z');
    await sqlAll(h.app, 'UPDATE sessions SET last_seen_at = ?', now.toISOString());
    expect(await h.app.sessionPurge.run()).toBe(1);
    expect(await count()).toBe(0);
    expect(await h.app.sessionPurge.run()).toBe(0);

    const rows = (await sqlAll(
      h.app,
      "SELECT details_json FROM audit_log WHERE action = 'session.purge' ORDER BY at",
    )) as { details_json: string }[];
    expect(rows.map((r) => JSON.parse(r.details_json))).toEqual([{ deleted: 2 }, { deleted: 1 }]);
  });

  it('stops with the console', async () => {
    const job = h.app.sessionPurge.job;
    await h.app.close();
    expect(job.isStopped()).toBe(true);
  });
});
