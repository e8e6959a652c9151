import type { Repositories } from '../plugins/storage.plugin';
import type { SecretBox } from './secret-box';
import { hashPassword, oneTimePassword } from './passwords';
import { newTotpSecret } from '../auth/totp';
import { needsTwoFactor, type Role, type User } from '../repositories/users.repository';
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
  input: { email: string; grants: { role: Role; schoolId?: string; organisationId?: string }[] },
  now: Date,
  actor: Actor = CLI_ACTOR,
): Promise<NewAccount> {
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const id = newId();
  const totpSecret = needsTwoFactor(input.grants) ? newTotpSecret() : null;
  const user = repos.users.create(input.email, passwordHash, input.grants, now, id);
  if (totpSecret) repos.users.setTotpSecret(user.id, secrets.seal(totpSecret, totpAad(user.id)));
  const first = input.grants[0];
  const schoolId = first?.schoolId ?? null;
  repos.audit.append(
    {
      action: 'user.create',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId:
        first?.organisationId ?? (schoolId ? (repos.schools.byId(schoolId)?.organisationId ?? null) : null),
      schoolId,
      targetId: user.id,
      ip: actor.ip,
      details: { roles: input.grants.map((g) => g.role).join(',') },
    },
    now,
  );
  return { user: repos.users.byId(user.id) ?? user, password, totpSecret };
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
  options: { newTotp?: boolean } = {},
  actor: Actor = CLI_ACTOR,
): Promise<{ password: string; totpSecret: string | null }> {
  const password = oneTimePassword();
  repos.users.resetPassword(user.id, await hashPassword(password));
  repos.sessions.deleteForUser(user.id);
  const grants = repos.users.grantsOf(user.id);
  let totpSecret: string | null = null;
  if (needsTwoFactor(grants) && (options.newTotp || user.totpSecretSealed === null)) {
    totpSecret = newTotpSecret();
    repos.users.setTotpSecret(user.id, secrets.seal(totpSecret, totpAad(user.id)));
  }
  repos.audit.append(
    {
      action: 'user.reset_password',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: organisationOf(repos, grants),
      schoolId: grants.find((g) => g.schoolId)?.schoolId ?? null,
      targetId: user.id,
      ip: actor.ip,
      details: { newTotp: totpSecret !== null },
    },
    now,
  );
  return { password, totpSecret };
}

/** The organisation a user belongs to (their first grant's, directly or through its school). */
export function organisationOf(
  repos: Repositories,
  grants: readonly { schoolId: string | null; organisationId: string | null }[],
): string | null {
  for (const g of grants) {
    if (g.organisationId) return g.organisationId;
    if (g.schoolId) {
      const org = repos.schools.byId(g.schoolId)?.organisationId;
      if (org) return org;
    }
  }
  return null;
}
