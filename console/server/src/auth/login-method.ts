import { verify } from '@node-rs/argon2';
import type { Repositories } from '../plugins/storage.plugin';
import type { SecretBox } from '../services/secret-box';
import { hashPassword } from '../services/passwords';
import { totpAad } from '../services/user-accounts.service';
import { needsTwoFactor, type User } from '../repositories/users.repository';
import type { ConsoleErrorCode } from '../errors';
import { totpMatches } from './totp';
import { hashRecoveryCode } from './recovery-codes';

export type LoginOutcome =
  | {
      ok: true;
      user: User;
      /** What proved the second factor: the authenticator, a recovery code (now used up), or none. */
      secondFactor: 'totp' | 'recovery_code' | 'none';
      /** The role needs two-factor sign-in and no authenticator is confirmed yet: the session may only set one up. */
      totpSetupRequired: boolean;
    }
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
  /** One of the user's unused recovery codes, instead of `totp`. */
  recoveryCode?: string;
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
    const user = await this.repos.users.byEmail(input.email.trim());
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

    if (user.disabledAt !== null) {
      return { ok: false, code: 'CONSOLE_ERR_LOGIN_FAILED', user, reason: 'disabled' };
    }

    const roleNeeds2fa = needsTwoFactor(await this.repos.users.grantsOf(user.id));
    let secondFactor: 'totp' | 'recovery_code' | 'none' = 'none';
    if (user.totpSecretSealed !== null) {
      // Anyone with a confirmed authenticator proves it, whatever their role.
      const totp = input.totp?.trim() ?? '';
      const recovery = input.recoveryCode?.trim() ?? '';
      if (totp !== '') {
        const secret = this.secrets.open(user.totpSecretSealed, totpAad(user.id));
        if (!totpMatches(secret, totp)) return this.failed(user, now, 'CONSOLE_ERR_TOTP_REQUIRED', 'bad_totp');
        secondFactor = 'totp';
      } else if (recovery !== '') {
        if (!(await this.repos.users.useRecoveryCode(user.id, hashRecoveryCode(user.id, recovery), now))) {
          return this.failed(user, now, 'CONSOLE_ERR_TOTP_REQUIRED', 'bad_recovery_code');
        }
        secondFactor = 'recovery_code';
      } else {
        return { ok: false, code: 'CONSOLE_ERR_TOTP_REQUIRED', user, reason: 'totp_missing' };
      }
    }
    await this.repos.users.clearLoginFailures(user.id);
    return {
      ok: true,
      user,
      secondFactor,
      totpSetupRequired: roleNeeds2fa && user.totpSecretSealed === null,
    };
  }

  private async failed(
    user: User,
    now: Date,
    code: 'CONSOLE_ERR_LOGIN_FAILED' | 'CONSOLE_ERR_TOTP_REQUIRED',
    reason: string,
  ): Promise<LoginOutcome> {
    const until = new Date(now.getTime() + LOCKOUT.lockMinutes * 60_000);
    const { locked } = await this.repos.users.recordLoginFailure(user.id, LOCKOUT.maxFailures, until);
    return locked
      ? { ok: false, code: 'CONSOLE_ERR_ACCOUNT_LOCKED', user, reason: `${reason}_then_locked` }
      : { ok: false, code, user, reason };
  }
}
