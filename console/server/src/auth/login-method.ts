import { verify } from '@node-rs/argon2';
import type { Repositories } from '../plugins/storage.plugin';
import type { SecretBox } from '../services/secret-box';
import { hashPassword } from '../services/passwords';
import { totpAad } from '../services/user-accounts.service';
import { needsTwoFactor, type User } from '../repositories/users.repository';
import type { ConsoleErrorCode } from '../errors';
import { totpMatches } from './totp';

export type LoginOutcome =
  | { ok: true; user: User }
  | {
      ok: false;
      code: Extract<
        ConsoleErrorCode,
        'CONSOLE_ERR_LOGIN_FAILED' | 'CONSOLE_ERR_TOTP_REQUIRED' | 'CONSOLE_ERR_ACCOUNT_LOCKED'
      >;
      /** The account the attempt named, when it exists (for the audit log). */
      user: User | undefined;
      reason: string;
      message?: string;
    };

/**
 * One way of proving who you are. Password + TOTP is the first; Microsoft Entra ID or Google
 * sign-in would be another (its callback route resolves a verified identity to a user and hands
 * the outcome to the same `startSession`). Sessions, cookies, CSRF and audit don't change.
 */
export interface LoginMethod<Input> {
  readonly name: string;
  authenticate(input: Input, now: Date): Promise<LoginOutcome>;
}

export interface PasswordLoginInput {
  email: string;
  password: string;
  totp?: string;
}

export const LOCKOUT = { maxFailures: 5, lockMinutes: 15 } as const;

let dummyHash: Promise<string> | undefined;

/** Local accounts: argon2id password, then a TOTP code for roles that see captures; lockout after repeated failures. */
export class PasswordLoginMethod implements LoginMethod<PasswordLoginInput> {
  readonly name = 'password';

  constructor(
    private readonly repos: Repositories,
    private readonly secrets: SecretBox,
  ) {}

  async authenticate(input: PasswordLoginInput, now: Date): Promise<LoginOutcome> {
    const user = this.repos.users.byEmail(input.email.trim());
    if (!user) {
      // Spend the same time as a real check, so timing does not say which emails have accounts.
      dummyHash ??= hashPassword('not-a-password-of-anyone');
      await verify(await dummyHash, input.password).catch(() => false);
      return { ok: false, code: 'CONSOLE_ERR_LOGIN_FAILED', user: undefined, reason: 'unknown_email' };
    }
    if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now.getTime()) {
      return { ok: false, code: 'CONSOLE_ERR_ACCOUNT_LOCKED', user, reason: 'locked' };
    }
    const passwordOk = await verify(user.passwordHash, input.password).catch(() => false);
    if (!passwordOk) return this.failed(user, now, 'CONSOLE_ERR_LOGIN_FAILED', 'bad_password');

    if (needsTwoFactor(this.repos.users.grantsOf(user.id))) {
      if (user.totpSecretSealed === null) {
        return {
          ok: false,
          code: 'CONSOLE_ERR_TOTP_REQUIRED',
          user,
          reason: 'totp_not_enrolled',
          message:
            'Your role needs two-factor sign-in and no authenticator is set up: ask an admin to reset your password',
        };
      }
      if (input.totp === undefined || input.totp === '') {
        return { ok: false, code: 'CONSOLE_ERR_TOTP_REQUIRED', user, reason: 'totp_missing' };
      }
      const secret = this.secrets.open(user.totpSecretSealed, totpAad(user.id));
      if (!totpMatches(secret, input.totp.trim())) {
        return this.failed(user, now, 'CONSOLE_ERR_TOTP_REQUIRED', 'bad_totp');
      }
    }
    this.repos.users.clearLoginFailures(user.id);
    return { ok: true, user };
  }

  private failed(
    user: User,
    now: Date,
    code: 'CONSOLE_ERR_LOGIN_FAILED' | 'CONSOLE_ERR_TOTP_REQUIRED',
    reason: string,
  ): LoginOutcome {
    const until = new Date(now.getTime() + LOCKOUT.lockMinutes * 60_000);
    const { locked } = this.repos.users.recordLoginFailure(user.id, LOCKOUT.maxFailures, until);
    return locked
      ? { ok: false, code: 'CONSOLE_ERR_ACCOUNT_LOCKED', user, reason: `${reason}_then_locked` }
      : { ok: false, code, user, reason };
  }
}
