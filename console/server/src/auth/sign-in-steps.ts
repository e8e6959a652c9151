import { needsTwoFactor, type Grant, type User } from '../repositories/users.repository';

/** The first-sign-in steps a user still owes before the console lets them do anything else. */
export type PendingStep = 'CONSOLE_ERR_TOTP_SETUP_REQUIRED' | 'CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED';

/** A role that sees captures with no confirmed authenticator. */
export const totpSetupRequired = (user: User, grants: readonly Grant[]): boolean =>
  needsTwoFactor(grants) && user.totpSecretSealed === null;

/**
 * The step that blocks a password session now, if any: setting up the authenticator comes first (the
 * session was opened with a password alone), then replacing a one-time password.
 */
export function pendingStep(user: User, grants: readonly Grant[], sessionMethod = 'password'): PendingStep | null {
  // Another login method (Entra ID, Google) proves the second factor at the identity provider and
  // has no local password: these steps belong to local accounts only.
  if (sessionMethod !== 'password') return null;
  if (totpSetupRequired(user, grants)) return 'CONSOLE_ERR_TOTP_SETUP_REQUIRED';
  if (user.mustChangePassword) return 'CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED';
  return null;
}

/** Routes a session with a pending step may still use: who am I, sign out, and the steps themselves. */
export const ROUTES_ALLOWED_WHILE_PENDING: ReadonlySet<string> = new Set([
  '/api/auth/me',
  '/api/auth/logout',
  '/api/auth/password',
  '/api/auth/totp/setup',
  '/api/auth/totp/confirm',
]);
