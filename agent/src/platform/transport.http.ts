import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  AGENT_API,
  CAPTURE_PARTS,
  CAPTURE_UPLOAD_LIMITS,
  CaptureIngestResponseSchema,
  DEVICE_AUTH_SCHEME,
  EnrolResponseSchema,
  ErrorResponseSchema,
  HeartbeatResponseSchema,
  PolicySchema,
  type EnrolRequest,
  type EnrolResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from '@vigil/shared';
import type { AgentErrorCode } from '../errors';
import type {
  CaptureUpload,
  PolicyResult,
  Transport,
  TransportFailure,
  TransportResult,
  UploadResult,
} from '../core/ports';

export interface DeviceIdentity {
  deviceId: string;
  deviceSecret: string;
}

export interface HttpTransportOptions {
  /** The console's base URL, without a trailing slash. */
  consoleUrl: string;
  /** Absent before enrolment: only `enrol` works then. */
  device?: DeviceIdentity;
  timeoutMs: number;
  /** Injected for tests; Node 20's global fetch by default. */
  fetch?: typeof fetch;
}

/** Node 20's fetch/FormData/Blob speaking the agent ↔ console contract (v1). */
export class HttpTransport implements Transport {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpTransportOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async enrol(request: EnrolRequest): Promise<TransportResult<EnrolResponse>> {
    const response = await this.call(AGENT_API.enrol, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!(response instanceof Response)) return response;
    if (response.status === 201 || response.status === 200) return readJson(response, EnrolResponseSchema);
    if (response.status === 401 || response.status === 403) {
      return {
        kind: 'permanent',
        code: 'AGENT_ERR_ENROLMENT_REJECTED',
        httpStatus: response.status,
        consoleCode: await consoleCode(response),
      };
    }
    return failure(response);
  }

  async uploadCapture(capture: CaptureUpload): Promise<UploadResult> {
    const { metadata, screenshot, thumbnail } = capture;
    const metadataJson = JSON.stringify(metadata);
    if (
      Buffer.byteLength(metadataJson) > CAPTURE_UPLOAD_LIMITS.maxMetadataBytes ||
      screenshot.byteLength > CAPTURE_UPLOAD_LIMITS.maxScreenshotBytes ||
      thumbnail.byteLength > CAPTURE_UPLOAD_LIMITS.maxThumbnailBytes
    ) {
      return { kind: 'permanent', code: 'AGENT_ERR_CAPTURE_TOO_LARGE', httpStatus: null, consoleCode: null };
    }
    const form = new FormData();
    form.append(CAPTURE_PARTS.metadata, metadataJson);
    form.append(CAPTURE_PARTS.screenshot, new Blob([screenshot], { type: 'image/webp' }), `${metadata.id}.webp`);
    form.append(
      CAPTURE_PARTS.thumbnail,
      new Blob([thumbnail], { type: 'image/webp' }),
      `${metadata.id}-thumbnail.webp`,
    );

    const response = await this.deviceCall(AGENT_API.captures, { method: 'POST', body: form });
    if (!(response instanceof Response)) return response;
    if (response.status === 200 || response.status === 201) {
      // Only a real acknowledgement of this capture deletes it: a captive portal's 200 page must not.
      const body = await readJson(response, CaptureIngestResponseSchema);
      if (body.kind !== 'ok') return body;
      if (body.value.id !== metadata.id) return garbled(response.status);
      return { kind: response.status === 201 && !body.value.duplicate ? 'ok' : 'duplicate', id: body.value.id };
    }
    return failure(response);
  }

  async heartbeat(request: HeartbeatRequest): Promise<TransportResult<HeartbeatResponse>> {
    const response = await this.deviceCall(AGENT_API.heartbeat, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!(response instanceof Response)) return response;
    if (response.status === 200) return readJson(response, HeartbeatResponseSchema);
    return failure(response);
  }

  async fetchPolicy(etag: string | null): Promise<PolicyResult> {
    const response = await this.deviceCall(AGENT_API.policy, {
      method: 'GET',
      headers: etag ? { 'if-none-match': etag } : {},
    });
    if (!(response instanceof Response)) return response;
    if (response.status === 304) return { kind: 'not-modified' };
    if (response.status === 200) {
      const body = await readJson(response, PolicySchema);
      if (body.kind !== 'ok') return body;
      return { kind: 'ok', value: { policy: body.value, etag: response.headers.get('etag') } };
    }
    return failure(response);
  }

  private deviceCall(route: string, init: RequestInit): Promise<Response | TransportFailure> {
    const { device } = this.options;
    if (!device) {
      return Promise.resolve({
        kind: 'permanent',
        code: 'AGENT_ERR_NOT_ENROLLED',
        httpStatus: null,
        consoleCode: null,
      });
    }
    const headers = new Headers(init.headers);
    headers.set('authorization', `${DEVICE_AUTH_SCHEME} ${device.deviceId}:${device.deviceSecret}`);
    return this.call(route, { ...init, headers });
  }

  /** The response, or a retryable failure when there was none (network, DNS, TLS, timeout). */
  private async call(route: string, init: RequestInit): Promise<Response | TransportFailure> {
    try {
      return await this.fetch(`${this.options.consoleUrl}${route}`, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch {
      return { kind: 'retryable', code: 'AGENT_ERR_CONSOLE_UNREACHABLE', httpStatus: null, retryAfterMs: null };
    }
  }
}

async function readJson<S extends TSchema>(
  response: Response,
  schema: S,
): Promise<{ kind: 'ok'; value: Static<S> } | TransportFailure> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return garbled(response.status);
  }
  if (!Value.Check(schema, body)) return garbled(response.status);
  return { kind: 'ok', value: body };
}

function garbled(httpStatus: number): TransportFailure {
  return { kind: 'retryable', code: 'AGENT_ERR_RESPONSE_INVALID', httpStatus, retryAfterMs: null };
}

/** Any answer that is not the expected success, sorted into retry / never / not this device. */
async function failure(response: Response): Promise<TransportFailure> {
  const status = response.status;
  const code = await consoleCode(response);
  if (status === 401)
    return { kind: 'unauthorised', code: 'AGENT_ERR_DEVICE_UNAUTHORISED', httpStatus: status, consoleCode: code };
  if (status === 429 || status >= 500) {
    const retryCode: AgentErrorCode = status === 429 ? 'AGENT_ERR_CONSOLE_BUSY' : 'AGENT_ERR_CONSOLE_FAILED';
    return {
      kind: 'retryable',
      code: retryCode,
      httpStatus: status,
      retryAfterMs: retryAfter(response.headers.get('retry-after')),
    };
  }
  if (status >= 400) {
    const rejected: AgentErrorCode = status === 413 ? 'AGENT_ERR_CAPTURE_TOO_LARGE' : 'AGENT_ERR_REQUEST_REJECTED';
    return { kind: 'permanent', code: rejected, httpStatus: status, consoleCode: code };
  }
  // 1xx/2xx/3xx we did not ask for (a proxy, a redirect to a login page): not an answer, try later.
  return garbled(status);
}

/** The console's `{ code }`, when the body is the protocol's error shape. */
async function consoleCode(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.json();
    return Value.Check(ErrorResponseSchema, body) ? body.code : null;
  } catch {
    return null;
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms. */
export function retryAfter(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
