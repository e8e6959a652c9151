import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_API } from '@vigil/shared';
import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../test-support/harness';
import { LIVE_EVENTS, LIVE_PATH } from './live.plugin';

/** Live events with a real socket.io client against the listening console. */
describe('live updates (socket.io)', () => {
  let h: Harness;
  let base: string;
  const sockets: Socket[] = [];
  let oak: { id: string; enrolmentToken: string };
  let dsl: SignedIn;
  let dslElm: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}`;
    oak = await h.app.repos.schools.create('Oak Academy', new Date());
    const elm = await h.app.repos.schools.create('Elm Primary', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    dslElm = await signIn(h.app, await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: elm.id }));
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak.id }));
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  const open = (who: SignedIn | null, csrfToken?: string): Promise<Socket> => {
    const socket = connect(base, {
      path: LIVE_PATH,
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: who ? { cookie: who.cookie } : {},
      auth: { csrfToken: csrfToken ?? who?.csrfToken },
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };

  const collect = (socket: Socket, event: string): unknown[] => {
    const got: unknown[] = [];
    socket.on(event, (payload: unknown) => got.push(payload));
    return got;
  };
  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('refuses a socket without a session, or without the CSRF token', async () => {
    await expect(open(null)).rejects.toThrow('CONSOLE_ERR_UNAUTHENTICATED');
    await expect(open(dsl, 'wrong')).rejects.toThrow('CONSOLE_ERR_UNAUTHENTICATED');
  });

  it("sends capture:new to the school's DSL only, without the context", async () => {
    const oakSocket = await open(dsl);
    const elmSocket = await open(dslElm);
    const adminSocket = await open(admin);
    const oakNew = collect(oakSocket, LIVE_EVENTS.captureNew);
    const elmNew = collect(elmSocket, LIVE_EVENTS.captureNew);
    const adminNew = collect(adminSocket, LIVE_EVENTS.captureNew);
    const device = await enrolDevice(h.app, oak.enrolmentToken);
    const meta = await uploadCapture(h.app, device);
    await settle();
    expect(oakNew).toEqual([
      { id: meta.id, schoolId: oak.id, severity: 5, categories: ['suicide'], capturedAt: meta.capturedAt },
    ]);
    expect(JSON.stringify(oakNew)).not.toContain(meta.context);
    expect(elmNew).toEqual([]);
    expect(adminNew).toEqual([]);
  });

  it('sends capture:updated on review and device:status on heartbeat and revoke', async () => {
    const dslSocket = await open(dsl);
    const adminSocket = await open(admin);
    const updates = collect(dslSocket, LIVE_EVENTS.captureUpdated);
    const statuses = collect(adminSocket, LIVE_EVENTS.deviceStatus);
    const device = await enrolDevice(h.app, oak.enrolmentToken);
    const meta = await uploadCapture(h.app, device);
    await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${meta.id}`,
      headers: dsl.write,
      payload: { status: 'reviewed' },
    });
    await h.app.inject({
      method: 'POST',
      url: AGENT_API.heartbeat,
      headers: { authorization: device.auth },
      payload: {
        agentVersion: '0.1.0',
        policyVersion: 'p',
        queueDepth: 0,
        user: 'pupil01',
        lastCaptureAt: null,
        sentAt: new Date().toISOString(),
      },
    });
    await h.app.inject({ method: 'POST', url: `/api/devices/${device.deviceId}/revoke`, headers: admin.write });
    await settle();
    expect(updates).toEqual([expect.objectContaining({ id: meta.id, status: 'reviewed', schoolId: oak.id })]);
    expect(statuses).toEqual([
      expect.objectContaining({ id: device.deviceId, revoked: false }),
      expect.objectContaining({ id: device.deviceId, revoked: true }),
    ]);
  });
});
