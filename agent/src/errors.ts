/**
 * Every error the agent reports, in one table. The wire and log shape is `{ code, message }`;
 * a message says what went wrong and, where it can, what to do about it. Messages never carry
 * captured text, keystrokes or image bytes.
 */
export const AGENT_ERRORS = {
  AGENT_ERR_USAGE: 'The command line was not understood: run `npm run agent -- --help`.',
  AGENT_ERR_CONFIG_INVALID: 'A VIGIL_* environment variable has an invalid value.',
  AGENT_ERR_NOT_ENROLLED:
    'This device is not enrolled: run `npm run agent -- enrol --console URL --token TOKEN` first.',
  AGENT_ERR_ALREADY_ENROLLED: 'This device is already enrolled: pass --force to enrol it again.',
  AGENT_ERR_CREDENTIALS_INVALID: 'The stored device credentials cannot be read: enrol the device again.',
  AGENT_ERR_ENROLMENT_REJECTED: 'The console refused the enrolment token: check the token and try again.',
  AGENT_ERR_CONSOLE_UNREACHABLE: 'The console could not be reached: check the console URL and the network.',
  AGENT_ERR_CONSOLE_BUSY: 'The console asked the agent to slow down (HTTP 429).',
  AGENT_ERR_CONSOLE_FAILED: 'The console answered with a server error (HTTP 5xx).',
  AGENT_ERR_RESPONSE_INVALID: 'The console answered with something that is not the Vigil protocol.',
  AGENT_ERR_DEVICE_UNAUTHORISED:
    'The console does not accept this device (revoked or unknown): enrol it again with --force.',
  AGENT_ERR_REQUEST_REJECTED: 'The console rejected the request (HTTP 4xx); it will not be retried.',
  AGENT_ERR_CAPTURE_TOO_LARGE: 'The capture is larger than the console accepts.',
  AGENT_ERR_OUTBOX_ITEM_INVALID: 'A queued capture could not be read back; it was set aside.',
  AGENT_ERR_OUTBOX_VERSION_UNSUPPORTED:
    'The outbox was written by a newer agent: upgrade the agent (the queued captures are kept).',
  AGENT_ERR_SCREENSHOT_FAILED: 'A screenshot could not be taken.',
  AGENT_ERR_KEYBOARD_UNAVAILABLE: 'Global keyboard events are not available.',
  AGENT_ERR_CAPTURE_FAILED: 'A capture could not be queued.',
  AGENT_ERR_WINDOW_UNAVAILABLE: 'The focused window cannot be read (no display, or the window tools are missing).',
  AGENT_ERR_CLIPBOARD_UNAVAILABLE:
    'The clipboard cannot be read (no display, or the clipboard tool is missing: install xclip on Linux).',
  AGENT_ERR_SCREEN_TEXT_FAILED: 'The text on screen could not be read (screen grab or OCR failed).',
  AGENT_ERR_TEST_CAPTURE_FAILED: 'The test capture was not acknowledged by the console.',
  AGENT_ERR_INTERNAL: 'An unexpected error occurred.',
} as const;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string = AGENT_ERRORS[code], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

/** The code of any thrown value, for logs: an AgentError keeps its own, anything else is internal. */
export function errorCode(error: unknown): AgentErrorCode {
  return error instanceof AgentError ? error.code : 'AGENT_ERR_INTERNAL';
}
