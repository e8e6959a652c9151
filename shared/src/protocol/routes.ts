/** The agent ↔ console contract, v1. Both sides build URLs from here. */
export const AGENT_API = {
  enrol: '/api/agent/v1/enrol',
  captures: '/api/agent/v1/captures',
  heartbeat: '/api/agent/v1/heartbeat',
  policy: '/api/agent/v1/policy',
} as const;

/** Multipart field names of `POST /api/agent/v1/captures`. */
export const CAPTURE_PARTS = {
  metadata: 'metadata',
  screenshot: 'screenshot',
  thumbnail: 'thumbnail',
} as const;

/** Header that carries the device's credentials: `Authorization: Device <deviceId>:<secret>`. */
export const DEVICE_AUTH_SCHEME = 'Device';
