import { AGENT_API, DEFAULT_POLICY_SETTINGS, type Policy } from '@vigil/shared';
import { capture } from '../test-support/outbox-contract';
import { formDataOf, startTestServer, type ScriptedResponse, type TestServer } from '../test-support/test-server';
import { HttpTransport, retryAfter } from './transport.http';

const DEVICE = { deviceId: 'dev-123', deviceSecret: 's3cret-s3cret' };
let server: TestServer;
let reply: ScriptedResponse;

beforeAll(async () => {
  server = await startTestServer(() => reply);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const transport = (device: typeof DEVICE | null = DEVICE): HttpTransport =>
  new HttpTransport({ consoleUrl: server.url, device: device ?? undefined, timeoutMs: 5_000 });

describe('HttpTransport.uploadCapture', () => {
  it('posts multipart/form-data: metadata JSON, screenshot and thumbnail as WebP files, as the device', async () => {
    const c = capture();
    reply = { status: 201, body: { id: c.metadata.id, duplicate: false } };

    expect(await transport().uploadCapture(c)).toEqual({ kind: 'ok', id: c.metadata.id });

    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: AGENT_API.captures });
    expect(request!.headers.authorization).toBe('Device dev-123:s3cret-s3cret');
    expect(request!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await formDataOf(request!);
    expect([...form.keys()]).toEqual(['metadata', 'screenshot', 'thumbnail']);
    expect(JSON.parse(String(form.get('metadata')))).toEqual(c.metadata);
    const screenshot = form.get('screenshot');
    const thumbnail = form.get('thumbnail');
    expect(screenshot).toBeInstanceOf(Blob);
    expect((screenshot as File).type).toBe('image/webp');
    expect((screenshot as File).name).toBe(`${c.metadata.id}.webp`);
    expect(new Uint8Array(await (screenshot as Blob).arrayBuffer())).toEqual(c.screenshot);
    expect((thumbnail as File).type).toBe('image/webp');
    expect(new Uint8Array(await (thumbnail as Blob).arrayBuffer())).toEqual(c.thumbnail);
  });

  const json = (status: number, body: unknown, headers?: Record<string, string>) => (): ScriptedResponse => ({
    status,
    body,
    headers,
  });
  it.each([
    [
      '200 duplicate',
      (id: string): ScriptedResponse => ({ status: 200, body: { id, duplicate: true } }),
      { kind: 'duplicate' },
    ],
    [
      '400',
      json(400, { code: 'CONSOLE_ERR_SCHEMA', message: 'bad' }),
      { kind: 'permanent', code: 'AGENT_ERR_REQUEST_REJECTED', httpStatus: 400, consoleCode: 'CONSOLE_ERR_SCHEMA' },
    ],
    [
      '413',
      json(413, { code: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE', message: 'big' }),
      { kind: 'permanent', code: 'AGENT_ERR_CAPTURE_TOO_LARGE', httpStatus: 413 },
    ],
    [
      '401',
      json(401, { code: 'CONSOLE_ERR_DEVICE_UNAUTHORISED', message: 'no' }),
      { kind: 'unauthorised', code: 'AGENT_ERR_DEVICE_UNAUTHORISED', httpStatus: 401 },
    ],
    [
      '429 with Retry-After',
      json(429, undefined, { 'retry-after': '7' }),
      { kind: 'retryable', code: 'AGENT_ERR_CONSOLE_BUSY', httpStatus: 429, retryAfterMs: 7000 },
    ],
    ['503', json(503, undefined), { kind: 'retryable', code: 'AGENT_ERR_CONSOLE_FAILED', httpStatus: 503 }],
    [
      "a captive portal's 200 page",
      json(200, '<html>Sign in to the school Wi-Fi</html>'),
      { kind: 'retryable', code: 'AGENT_ERR_RESPONSE_INVALID', httpStatus: 200 },
    ],
    [
      '201 for another id',
      json(201, { id: 'someone-else', duplicate: false }),
      { kind: 'retryable', code: 'AGENT_ERR_RESPONSE_INVALID' },
    ],
    [
      'a redirect',
      json(302, undefined, { location: 'http://portal.invalid/' }),
      { kind: 'retryable', code: 'AGENT_ERR_RESPONSE_INVALID', httpStatus: 302 },
    ],
  ])('%s', async (_name, answer, expected) => {
    const c = capture();
    reply = answer(c.metadata.id);
    expect(await transport().uploadCapture(c)).toMatchObject(expected);
  });

  it('a console that cannot be reached is retryable', async () => {
    const offline = new HttpTransport({ consoleUrl: 'http://127.0.0.1:1', device: DEVICE, timeoutMs: 2_000 });
    expect(await offline.uploadCapture(capture())).toMatchObject({
      kind: 'retryable',
      code: 'AGENT_ERR_CONSOLE_UNREACHABLE',
      httpStatus: null,
    });
  });

  it('never sends a capture larger than the console accepts', async () => {
    const c = { ...capture(), thumbnail: new Uint8Array(600 * 1024) };
    expect(await transport().uploadCapture(c)).toMatchObject({
      kind: 'permanent',
      code: 'AGENT_ERR_CAPTURE_TOO_LARGE',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('does not call the console before enrolment', async () => {
    expect(await transport(null).uploadCapture(capture())).toMatchObject({
      kind: 'permanent',
      code: 'AGENT_ERR_NOT_ENROLLED',
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe('HttpTransport.enrol', () => {
  const request = { token: 'token-123456', hostname: 'lap-01', os: 'linux', osVersion: '6.1', agentVersion: '0.1.0' };

  it('posts the enrolment as JSON without device credentials', async () => {
    reply = { status: 201, body: { deviceId: 'd1', deviceSecret: 'sec', schoolId: 's1', schoolName: 'Hill School' } };
    expect(await transport(null).enrol(request)).toEqual({
      kind: 'ok',
      value: { deviceId: 'd1', deviceSecret: 'sec', schoolId: 's1', schoolName: 'Hill School' },
    });
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', path: AGENT_API.enrol });
    expect(sent!.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent!.body.toString('utf8'))).toEqual(request);
  });

  it('a bad token is a permanent refusal', async () => {
    reply = { status: 401, body: { code: 'CONSOLE_ERR_ENROLMENT_TOKEN_INVALID', message: 'no' } };
    expect(await transport(null).enrol(request)).toEqual({
      kind: 'permanent',
      code: 'AGENT_ERR_ENROLMENT_REJECTED',
      httpStatus: 401,
      consoleCode: 'CONSOLE_ERR_ENROLMENT_TOKEN_INVALID',
    });
  });
});

describe('HttpTransport.heartbeat and fetchPolicy', () => {
  it('sends the heartbeat as the device and reads the console policy version', async () => {
    reply = { status: 200, body: { serverTime: '2025-01-06T09:00:00.000Z', policyVersion: 'v7' } };
    const heartbeat = {
      agentVersion: '0.1.0',
      policyVersion: 'builtin-1',
      queueDepth: 2,
      user: 'pupil',
      lastCaptureAt: null,
      sentAt: '2025-01-06T09:00:00.000Z',
    };
    expect(await transport().heartbeat(heartbeat)).toEqual({
      kind: 'ok',
      value: { serverTime: '2025-01-06T09:00:00.000Z', policyVersion: 'v7' },
    });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: AGENT_API.heartbeat });
    expect(server.requests[0]!.headers.authorization).toBe('Device dev-123:s3cret-s3cret');
  });

  it('fetches the policy with its ETag, and understands 304', async () => {
    const policy: Policy = {
      version: 'v7',
      keywords: [{ id: 'k', phrase: 'kys', category: 'bullying', severity: 3, match: 'word' }],
      exclusions: [],
      settings: DEFAULT_POLICY_SETTINGS,
    };
    reply = { status: 200, body: policy, headers: { etag: '"v7"' } };
    expect(await transport().fetchPolicy(null)).toEqual({ kind: 'ok', value: { policy, etag: '"v7"' } });
    reply = { status: 304 };
    expect(await transport().fetchPolicy('"v7"')).toEqual({ kind: 'not-modified' });
    expect(server.requests[1]!.headers['if-none-match']).toBe('"v7"');
  });
});

describe('retryAfter', () => {
  it.each([
    [null, null],
    ['3', 3000],
    ['Mon, 06 Jan 2025 09:00:10 GMT', 10_000],
    ['soon', null],
  ])('%j → %j', (header, ms) => {
    expect(retryAfter(header, Date.UTC(2025, 0, 6, 9, 0, 0))).toBe(ms);
  });
});
