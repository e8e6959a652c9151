import { AGENT_API } from '@vigil/shared';
import type { Clock } from '../../clock';
import {
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

/** Real time plus an offset the test moves forward. */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe('devices and enrolment', () => {
  let h: Harness;
  const clock = new ShiftedClock();
  let schoolId: string;
  let token: string;
  let schoolAdmin: SignedIn;
  let dsl: SignedIn;
  let viewer: SignedIn;

  const audits = async (action: string) =>
    (await sqlAll(h.app, 'SELECT * FROM audit_log WHERE action = ?', action)) as { details_json: string | null }[];

  beforeAll(async () => {
    h = await startHarness(
      { VIGIL_LOGIN_RATE_PER_MINUTE: '1000', VIGIL_SESSION_IDLE_MINUTES: '1440', VIGIL_NOT_REPORTING_MINUTES: '60' },
      { clock },
    );
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    schoolId = school.id;
    token = school.enrolmentToken;
    schoolAdmin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId }));
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId }));
    viewer = await signIn(h.app, await createUser(h.app, 'viewer@oak.sch.uk', 'viewer', { schoolId }));
  });
  afterAll(() => h.close());

  it('lists devices with versions, queue depth and user, not-reporting ones first', async () => {
    const quiet = await enrolDevice(h.app, token);
    clock.offsetMs += 61 * 60_000;
    const busy = await enrolDevice(h.app, token);
    const hb = await h.app.inject({
      method: 'POST',
      url: AGENT_API.heartbeat,
      headers: { authorization: busy.auth },
      payload: {
        agentVersion: '0.2.0',
        policyVersion: 'p-7',
        queueDepth: 3,
        user: 'pupil01',
        lastCaptureAt: null,
        sentAt: new Date().toISOString(),
      },
    });
    expect(hb.statusCode).toBe(200);
    for (const who of [schoolAdmin, dsl]) {
      const res = await h.app.inject({ method: 'GET', url: '/api/devices', headers: who.get });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Record<string, unknown>[];
      expect(items.map((d) => d.id)).toEqual([quiet.deviceId, busy.deviceId]);
      expect(items[0]).toMatchObject({ reporting: false, revoked: false });
      expect(items[1]).toMatchObject({
        reporting: true,
        agentVersion: '0.2.0',
        policyVersion: 'p-7',
        queueDepth: 3,
        user: 'pupil01',
      });
    }
  });

  it('refuses roles that may not see devices', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/devices', headers: viewer.get });
    expect(res.statusCode).toBe(403);
  });

  it('revoking a device stops its uploads at once, and is audited; a DSL may not revoke', async () => {
    const device = await enrolDevice(h.app, token);
    await uploadCapture(h.app, device);
    const byDsl = await h.app.inject({
      method: 'POST',
      url: `/api/devices/${device.deviceId}/revoke`,
      headers: dsl.write,
    });
    expect(byDsl.statusCode).toBe(403);
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: `/api/devices/${device.deviceId}/revoke`,
      headers: schoolAdmin.get,
    });
    expect(noCsrf.statusCode).toBe(403);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/devices/${device.deviceId}/revoke`,
      headers: schoolAdmin.write,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: device.deviceId, revoked: true, reporting: false });
    await expect(uploadCapture(h.app, device)).rejects.toThrow(/upload failed: 401/);
    expect(await audits('device.revoke')).toHaveLength(1);
    const unknown = await h.app.inject({ method: 'POST', url: '/api/devices/nope/revoke', headers: schoolAdmin.write });
    expect(unknown.statusCode).toBe(404);
  });

  it('shows the enrolment token to admins, and rotating it retires the old token at once', async () => {
    const view = await h.app.inject({
      method: 'GET',
      url: `/api/schools/${schoolId}/enrolment-token`,
      headers: schoolAdmin.get,
    });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toEqual({ schoolId, enrolmentToken: token });
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/schools/${schoolId}/enrolment-token`, headers: dsl.get }))
        .statusCode,
    ).toBe(403);

    const rotated = await h.app.inject({
      method: 'POST',
      url: `/api/schools/${schoolId}/enrolment-token/rotate`,
      headers: schoolAdmin.write,
    });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().enrolmentToken as string;
    expect(fresh).not.toBe(token);
    await expect(enrolDevice(h.app, token)).rejects.toThrow(/enrol failed: 401/);
    await expect(enrolDevice(h.app, fresh)).resolves.toMatchObject({ deviceId: expect.any(String) });
    expect(await audits('school.enrolment_token_rotate')).toHaveLength(1);
    expect(await audits('school.enrolment_token_view')).toHaveLength(1);
    expect(JSON.stringify(await audits('school.enrolment_token_rotate'))).not.toContain(fresh);
    token = fresh;
  });
});
