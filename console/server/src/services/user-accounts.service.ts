import { verify } from '@node-rs/argon2';
import type { Repositories } from '../plugins/storage.plugin';
import type { SecretBox } from './secret-box';
import { hashPassword, oneTimePassword, MIN_PASSWORD_LENGTH } from './passwords';
import { newTotpSecret, totpMatches, totpUri } from '../auth/totp';
import { hashRecoveryCode, newRecoveryCodes } from '../auth/recovery-codes';
import { LOCKOUT } from '../auth/login-method';
import { needsTwoFactor, type Role, type User } from '../repositories/users.repository';
import type { AuditAction } from '../repositories/audit.repository';
import { ConsoleError } from '../errors';
import { newId } from '../ids';

export interface NewAccount {
  user: User;
  /** The one-time password, shown once. */
  password: string;
  /** The TOTP secret for roles that need two-factor sign-in (shown once), else null. */
  totpSecret: string | null;
}

/** AAD binds a sealed TOTP secret to its user: a sealed value copied onto another row does not open. */
export const totpAad = (userId: string): string => `totp:${userId}`;

export interface Actor {
  userId: string | null;
  label: string;
  ip: string | null;
}

export const CLI_ACTOR: Actor = { userId: null, label: 'cli', ip: null };

/** Makes a user with a one-time password and, for roles that see captures, a TOTP secret (sealed at rest). */
export async function createAccount(
  repos: Repositories,
  secrets: SecretBox,
  input: {
    email: string;
    grants: { role: Role; schoolId?: string; organisationId?: string }[];
    displayName?: string | null;
    /**
     * true (the CLI): roles that see captures get a TOTP secret now, printed once, so the user is
     * enrolled already. false (the dashboard): they set up their authenticator at first sign-in.
     */
    issueTotp?: boolean;
  },
  now: Date,
  actor: Actor = CLI_ACTOR,
): Promise<NewAccount> {
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const id = newId();
  const totpSecret = (input.issueTotp ?? true) && needsTwoFactor(input.grants) ? newTotpSecret() : null;
  const user = await repos.users.create(input.email, passwordHash, input.grants, now, id);
  if (input.displayName) await repos.users.setDisplayName(user.id, input.displayName);
  if (totpSecret) await repos.users.setTotpSecret(user.id, secrets.seal(totpSecret, totpAad(user.id)));
  const first = input.grants[0];
  const schoolId = first?.schoolId ?? null;
  await repos.audit.append(
    {
      action: 'user.create',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId:
        first?.organisationId ?? (schoolId ? ((await repos.schools.byId(schoolId))?.organisationId ?? null) : null),
      schoolId,
      targetId: user.id,
      ip: actor.ip,
      details: { roles: input.grants.map((g) => g.role).join(',') },
    },
    now,
  );
  return { user: (await repos.users.byId(user.id)) ?? user, password, totpSecret };
}

/**
 * An admin's password reset: a new one-time password, lockout cleared, every session ended. A user
 * who needs two-factor and has no secret (or `newTotp`) gets a new TOTP secret too.
 */
export async function resetPassword(
  repos: Repositories,
  secrets: SecretBox,
  user: User,
  now: Date,
  options: {
    newTotp?: boolean;
    /** Remove the authenticator and recovery codes: the user sets up a new one at next sign-in. */
    clearTotp?: boolean;
    /** false: never print a new TOTP secret (the dashboard's reset; enrolment happens at sign-in). */
    issueTotp?: boolean;
    schoolId?: string | null;
  } = {},
  actor: Actor = CLI_ACTOR,
): Promise<{ password: string; totpSecret: string | null }> {
  const password = oneTimePassword();
  await repos.users.resetPassword(user.id, await hashPassword(password));
  await repos.sessions.deleteForUser(user.id);
  const grants = await repos.users.grantsOf(user.id);
  let totpSecret: string | null = null;
  if (options.clearTotp) await repos.users.clearTotp(user.id);
  const hasTotp = user.totpSecretSealed !== null && !options.clearTotp;
  if ((options.issueTotp ?? true) && needsTwoFactor(grants) && (options.newTotp || !hasTotp)) {
    totpSecret = newTotpSecret();
    await repos.users.setTotpSecret(user.id, secrets.seal(totpSecret, totpAad(user.id)));
  }
  await repos.audit.append(
    {
      action: 'user.reset_password',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: await organisationOf(repos, grants),
      schoolId: options.schoolId ?? grants.find((g) => g.schoolId)?.schoolId ?? null,
      targetId: user.id,
      ip: actor.ip,
      details: { newTotp: totpSecret !== null, totpCleared: options.clearTotp === true },
    },
    now,
  );
  return { password, totpSecret };
}

/** The organisation a user belongs to (their first grant's, directly or through its school). */
export async function organisationOf(
  repos: Repositories,
  grants: readonly { schoolId: string | null; organisationId: string | null }[],
): Promise<string | null> {
  for (const g of grants) {
    if (g.organisationId) return g.organisationId;
    if (g.schoolId) {
      const org = (await repos.schools.byId(g.schoolId))?.organisationId;
      if (org) return org;
    }
  }
  return null;
}

/** One audit row about a user account, written with the acting person. */
export async function auditUser(
  repos: Repositories,
  action: AuditAction,
  actor: Actor,
  target: User,
  now: Date,
  extra: {
    schoolId?: string | null;
    outcome?: 'success' | 'failure';
    details?: Record<string, string | number | boolean | null>;
  } = {},
): Promise<void> {
  const schoolId = extra.schoolId ?? null;
  await repos.audit.append(
    {
      action,
      outcome: extra.outcome ?? 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: schoolId
        ? ((await repos.schools.byId(schoolId))?.organisationId ?? null)
        : await organisationOf(repos, await repos.users.grantsOf(target.id)),
      schoolId,
      targetId: target.id,
      ip: actor.ip,
      details: extra.details,
    },
    now,
  );
}

/**
 * The user replaces their password: the current one must be right (a wrong one counts towards the
 * lockout), the new one at least 12 characters and different. Ends every other session.
 */
export async function changePassword(
  repos: Repositories,
  user: User,
  input: { currentPassword: string; newPassword: string },
  keepSessionIdHash: string,
  now: Date,
  actor: Actor,
): Promise<void> {
  const currentOk = await verify(user.passwordHash, input.currentPassword).catch(() => false);
  if (!currentOk) {
    const until = new Date(now.getTime() + LOCKOUT.lockMinutes * 60_000);
    const { locked } = await repos.users.recordLoginFailure(user.id, LOCKOUT.maxFailures, until);
    await auditUser(repos, 'user.password_change', actor, user, now, {
      outcome: 'failure',
      details: { reason: locked ? 'wrong_current_password_then_locked' : 'wrong_current_password' },
    });
    if (locked) {
      await repos.sessions.deleteForUser(user.id);
      throw new ConsoleError('CONSOLE_ERR_ACCOUNT_LOCKED');
    }
    throw new ConsoleError('CONSOLE_ERR_WRONG_PASSWORD');
  }
  if ([...input.newPassword].length < MIN_PASSWORD_LENGTH) throw new ConsoleError('CONSOLE_ERR_WEAK_PASSWORD');
  if (input.newPassword === input.currentPassword) {
    throw new ConsoleError('CONSOLE_ERR_WEAK_PASSWORD', 'Choose a new password, not the one you have now');
  }
  if (input.newPassword.trim().toLowerCase() === user.email.toLowerCase()) {
    throw new ConsoleError('CONSOLE_ERR_WEAK_PASSWORD', 'Your password cannot be your email address');
  }
  await repos.users.setPassword(user.id, await hashPassword(input.newPassword));
  const ended = await repos.sessions.deleteForUserExcept(user.id, keepSessionIdHash);
  await auditUser(repos, 'user.password_change', actor, user, now, {
    details: { wasOneTime: user.mustChangePassword, otherSessionsEnded: ended },
  });
}

/**
 * A new pending TOTP secret for a user with no confirmed authenticator (a new one replaces an
 * earlier pending one). Someone already enrolled asks an admin to reset theirs instead, so a stolen
 * session cannot swap the authenticator.
 */
export async function beginTotpSetup(
  repos: Repositories,
  secrets: SecretBox,
  user: User,
  now: Date,
  actor: Actor,
): Promise<{ secret: string; otpauthUrl: string }> {
  if (user.totpSecretSealed !== null) {
    throw new ConsoleError(
      'CONSOLE_ERR_USER_CONFLICT',
      'Your authenticator is already set up; an admin can reset it if you have lost it',
    );
  }
  const secret = newTotpSecret();
  await repos.users.setTotpPending(user.id, secrets.seal(secret, totpAad(user.id)));
  await auditUser(repos, 'user.totp_setup', actor, user, now);
  return { secret, otpauthUrl: totpUri(user.email, secret) };
}

/** The first code from the authenticator confirms the pending secret; returns 10 new recovery codes. */
export async function confirmTotpSetup(
  repos: Repositories,
  secrets: SecretBox,
  user: User,
  code: string,
  now: Date,
  actor: Actor,
): Promise<string[]> {
  if (user.totpSecretSealed !== null) {
    throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'Your authenticator is already set up');
  }
  if (user.totpPendingSealed === null) {
    throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'Start the set-up first: there is no authenticator to confirm');
  }
  const secret = secrets.open(user.totpPendingSealed, totpAad(user.id));
  if (!totpMatches(secret, code.trim())) {
    await auditUser(repos, 'user.totp_enrol', actor, user, now, {
      outcome: 'failure',
      details: { reason: 'bad_code' },
    });
    throw new ConsoleError('CONSOLE_ERR_TOTP_INVALID');
  }
  const codes = newRecoveryCodes();
  await repos.users.confirmTotp(
    user.id,
    user.totpPendingSealed,
    codes.map((c) => hashRecoveryCode(user.id, c)),
    now,
  );
  await auditUser(repos, 'user.totp_enrol', actor, user, now, { details: { recoveryCodes: codes.length } });
  return codes;
}

/** A new set of recovery codes (the old ones stop working), for a current TOTP code. */
export async function regenerateRecoveryCodes(
  repos: Repositories,
  secrets: SecretBox,
  user: User,
  totp: string,
  now: Date,
  actor: Actor,
): Promise<string[]> {
  if (user.totpSecretSealed === null) {
    throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'Set up your authenticator first');
  }
  const secret = secrets.open(user.totpSecretSealed, totpAad(user.id));
  if (!totpMatches(secret, totp.trim())) {
    await auditUser(repos, 'user.recovery_codes', actor, user, now, {
      outcome: 'failure',
      details: { reason: 'bad_code' },
    });
    throw new ConsoleError('CONSOLE_ERR_TOTP_INVALID');
  }
  const codes = newRecoveryCodes();
  await repos.users.replaceRecoveryCodes(
    user.id,
    codes.map((c) => hashRecoveryCode(user.id, c)),
    now,
  );
  await auditUser(repos, 'user.recovery_codes', actor, user, now, { details: { recoveryCodes: codes.length } });
  return codes;
}
