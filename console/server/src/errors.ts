/** Every error the console answers with, in one table. The wire shape is `{ code, message }`. */
export const CONSOLE_ERRORS = {
  CONSOLE_ERR_VALIDATION: { status: 400, message: 'The request is not valid' },
  CONSOLE_ERR_BAD_MULTIPART: { status: 400, message: 'The upload is not a valid capture' },
  CONSOLE_ERR_BAD_IMAGE: { status: 400, message: 'The screenshot is not a readable image' },
  CONSOLE_ERR_ENROLMENT_TOKEN_INVALID: { status: 401, message: 'The enrolment token is not valid' },
  CONSOLE_ERR_DEVICE_UNAUTHORISED: { status: 401, message: 'The device is not enrolled or has been revoked' },
  CONSOLE_ERR_UNAUTHENTICATED: { status: 401, message: 'Sign in first' },
  CONSOLE_ERR_LOGIN_FAILED: { status: 401, message: 'The email or password is not right' },
  CONSOLE_ERR_TOTP_REQUIRED: { status: 401, message: 'Enter the 6-digit code from your authenticator app' },
  // People and sign-in (first sign-in steps, passwords, recovery codes, managing users).
  CONSOLE_ERR_TOTP_SETUP_REQUIRED: {
    status: 403,
    message: 'Set up your authenticator app first: your role needs two-factor sign-in',
  },
  CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED: { status: 403, message: 'Choose a new password first' },
  CONSOLE_ERR_TOTP_INVALID: { status: 400, message: 'That code is not right: enter the current 6-digit code' },
  CONSOLE_ERR_WEAK_PASSWORD: { status: 400, message: 'Choose a password of at least 12 characters' },
  CONSOLE_ERR_WRONG_PASSWORD: { status: 400, message: 'Your current password is not right' },
  CONSOLE_ERR_USER_CONFLICT: { status: 409, message: 'That change is not possible for this account' },
  CONSOLE_ERR_CSRF: { status: 403, message: 'Missing or wrong x-vigil-csrf header: send the csrfToken from sign-in' },
  CONSOLE_ERR_FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  CONSOLE_ERR_DEVICE_MISMATCH: { status: 403, message: 'The capture belongs to another device' },
  CONSOLE_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  CONSOLE_ERR_NOTHING_TO_PUBLISH: { status: 409, message: 'The draft is the same as the published lists' },
  CONSOLE_ERR_CAPTURE_CONFLICT: { status: 409, message: 'A different capture with this id already exists' },
  CONSOLE_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload is too large' },
  CONSOLE_ERR_UNSUPPORTED_MEDIA: { status: 415, message: 'Unsupported content type' },
  CONSOLE_ERR_ACCOUNT_LOCKED: {
    status: 429,
    message: 'Too many failed sign-ins: this account is locked for a while; an admin can reset it',
  },
  CONSOLE_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  CONSOLE_ERR_INTERNAL: { status: 500, message: 'Something went wrong on the console' },
  CONSOLE_ERR_STORAGE_UNAVAILABLE: {
    status: 503,
    message: 'Screenshot storage cannot be reached just now; try again later',
  },
} as const;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export class ConsoleError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ConsoleErrorCode,
    message?: string,
  ) {
    super(message ?? CONSOLE_ERRORS[code].message);
    this.statusCode = CONSOLE_ERRORS[code].status;
  }
}
