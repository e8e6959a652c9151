import { io as connect, type Socket } from 'socket.io-client';
import { createUser, signIn, startHarness, type Harness, type SignedIn } from '../test-support/harness';
import { LIVE_PATH } from './live.plugin';

/** A session that still owes a first sign-in step gets no live socket; once done, it does. */
describe('live updates wait for the first sign-in steps', () => {
  let h: Harness;
  let base: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  const open = (who: SignedIn): Promise<Socket> => {
    const socket = connect(base, {
      path: LIVE_PATH,
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: who.cookie },
      auth: { csrfToken: who.csrfToken },
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };

  it('refuses the socket until the one-time password is replaced', async () => {
    const schoolId = (await h.app.repos.schools.create('Oak Academy', new Date())).id;
    const user = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId }, { oneTimePassword: true });
    const session = await signIn(h.app, user);
    await expect(open(session)).rejects.toThrow('CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED');
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: session.write,
      payload: { currentPassword: user.password, newPassword: 'a good long passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    await expect(open(session)).resolves.toBeDefined();
  });
});
