import { inTransaction, type Kdb } from '../db/database';
import { newId } from '../ids';
import type { Selectable } from 'kysely';
import type { UsersTable } from '../db/schema';

export const ROLES = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl', 'head', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that can see captures must use two-factor sign-in. */
export const ROLES_NEEDING_2FA: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl', 'head'];

export interface User {
  id: string;
  email: string;
  passwordHash: string;
  mustChangePassword: boolean;
  createdAt: string;
  /** Sealed (see SecretBox); null until enrolled. */
  totpSecretSealed: string | null;
  failedLogins: number;
  lockedUntil: string | null;
  displayName: string | null;
  /** Set while the account is disabled: no sign-in, no sessions. */
  disabledAt: string | null;
  lastSignInAt: string | null;
  /** A sealed TOTP secret offered at enrolment, not yet confirmed with a code. */
  totpPendingSealed: string | null;
}

export interface Grant {
  role: Role;
  schoolId: string | null;
  organisationId: string | null;
}

/** A row as the database returns it. */
type UserRow = Selectable<UsersTable>;

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  mustChangePassword: r.must_change_password === 1,
  createdAt: r.created_at,
  totpSecretSealed: r.totp_secret,
  failedLogins: r.failed_logins,
  lockedUntil: r.locked_until,
  displayName: r.display_name,
  disabledAt: r.disabled_at,
  lastSignInAt: r.last_sign_in_at,
  totpPendingSealed: r.totp_pending,
});

export const needsTwoFactor = (grants: readonly Pick<Grant, 'role'>[]): boolean =>
  grants.some((g) => ROLES_NEEDING_2FA.includes(g.role));

const countOf = (r: { n: number | string | bigint } | undefined): number => Number(r?.n ?? 0);

export class UsersRepository {
  constructor(private readonly db: Kdb) {}

  async create(
    email: string,
    passwordHash: string,
    grants: { role: Role; schoolId?: string; organisationId?: string }[],
    now: Date,
    id: string = newId(),
  ): Promise<User> {
    const user: User = {
      id,
      email: email.toLowerCase(),
      passwordHash,
      mustChangePassword: true,
      createdAt: now.toISOString(),
      totpSecretSealed: null,
      failedLogins: 0,
      lockedUntil: null,
      displayName: null,
      disabledAt: null,
      lastSignInAt: null,
      totpPendingSealed: null,
    };
    await inTransaction(this.db, async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          password_hash: user.passwordHash,
          must_change_password: 1,
          created_at: user.createdAt,
        })
        .execute();
      for (const g of grants) {
        await trx
          .insertInto('user_roles')
          .values({
            user_id: user.id,
            organisation_id: g.organisationId ?? null,
            school_id: g.schoolId ?? null,
            role: g.role,
          })
          .execute();
      }
    });
    return user;
  }

  async byEmail(email: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return r && toUser(r);
  }

  async byId(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async grantsOf(userId: string): Promise<Grant[]> {
    const rows = await this.db
      .selectFrom('user_roles')
      .select(['role', 'school_id', 'organisation_id'])
      .where('user_id', '=', userId)
      .orderBy('role')
      .execute();
    return rows.map((r) => ({ role: r.role as Role, schoolId: r.school_id, organisationId: r.organisation_id }));
  }

  /** Users holding one of `roles` for `schoolId`, directly or through its organisation. */
  async idsWithRoleAt(userIds: readonly string[], roles: readonly Role[], schoolId: string): Promise<string[]> {
    if (userIds.length === 0 || roles.length === 0) return [];
    const rows = await this.db
      .selectFrom('user_roles as r')
      .select('r.user_id')
      .distinct()
      .where('r.user_id', 'in', userIds)
      .where('r.role', 'in', roles)
      .where((eb) =>
        eb.or([
          eb('r.school_id', '=', schoolId),
          eb('r.organisation_id', '=', eb.selectFrom('schools').select('organisation_id').where('id', '=', schoolId)),
        ]),
      )
      .orderBy('r.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  async setTotpSecret(userId: string, sealed: string | null): Promise<void> {
    await this.db.updateTable('users').set({ totp_secret: sealed }).where('id', '=', userId).execute();
  }

  /** A new password from an admin: one-time again, lock and failure count cleared. */
  async resetPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: 1, failed_logins: 0, locked_until: null })
      .where('id', '=', userId)
      .execute();
  }

  /** Counts a failed sign-in; at `maxFailures` the account locks until `lockUntil` and the count restarts. */
  async recordLoginFailure(userId: string, maxFailures: number, lockUntil: Date): Promise<{ locked: boolean }> {
    return inTransaction(this.db, async (trx) => {
      // One statement counts the failure, so two failures at once are both counted on either dialect.
      const row = await trx
        .updateTable('users')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', userId)
        .returning('failed_logins')
        .executeTakeFirst();
      if ((row?.failed_logins ?? 0) >= maxFailures) {
        await trx
          .updateTable('users')
          .set({ failed_logins: 0, locked_until: lockUntil.toISOString() })
          .where('id', '=', userId)
          .execute();
        return { locked: true };
      }
      return { locked: false };
    });
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await this.db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
  }

  /** A password the user chose: no longer one-time; failures and lockout cleared. */
  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: 0, failed_logins: 0, locked_until: null })
      .where('id', '=', userId)
      .execute();
  }

  async setMustChangePassword(userId: string, value: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ must_change_password: value ? 1 : 0 })
      .where('id', '=', userId)
      .execute();
  }

  async setDisplayName(userId: string, displayName: string | null): Promise<void> {
    await this.db.updateTable('users').set({ display_name: displayName }).where('id', '=', userId).execute();
  }

  async setDisabled(userId: string, disabledAt: Date | null): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ disabled_at: disabledAt?.toISOString() ?? null })
      .where('id', '=', userId)
      .execute();
  }

  async recordSignIn(userId: string, now: Date): Promise<void> {
    await this.db.updateTable('users').set({ last_sign_in_at: now.toISOString() }).where('id', '=', userId).execute();
  }

  async setTotpPending(userId: string, sealed: string | null): Promise<void> {
    await this.db.updateTable('users').set({ totp_pending: sealed }).where('id', '=', userId).execute();
  }

  /**
   * The pending secret becomes the confirmed one, and `codeHashes` replace every recovery code, in
   * one transaction.
   */
  async confirmTotp(userId: string, sealed: string, codeHashes: readonly string[], now: Date): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('users')
        .set({ totp_secret: sealed, totp_pending: null })
        .where('id', '=', userId)
        .execute();
      await this.writeRecoveryCodes(trx, userId, codeHashes, now);
    });
  }

  /** No authenticator any more: the user sets one up at their next sign-in (when their role needs it). */
  async clearTotp(userId: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx.updateTable('users').set({ totp_secret: null, totp_pending: null }).where('id', '=', userId).execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    });
  }

  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[], now: Date): Promise<void> {
    await inTransaction(this.db, (trx) => this.writeRecoveryCodes(trx, userId, codeHashes, now));
  }

  private async writeRecoveryCodes(trx: Kdb, userId: string, codeHashes: readonly string[], now: Date): Promise<void> {
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    if (codeHashes.length === 0) return;
    await trx
      .insertInto('recovery_codes')
      .values(codeHashes.map((h) => ({ user_id: userId, code_hash: h, created_at: now.toISOString() })))
      .execute();
  }

  /** Marks an unused recovery code used; false when there is no such unused code. */
  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    return countOf(
      await this.db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst(),
    );
  }

  /** Users with a role at the school, or an organisation-wide role in its organisation; by email. */
  async listForSchool(schoolId: string, organisationId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('user_roles')
          .select('user_id')
          .where('school_id', '=', schoolId)
          .union(
            eb
              .selectFrom('user_roles')
              .select('user_id')
              .where('school_id', 'is', null)
              .where('organisation_id', '=', organisationId),
          ),
      )
      .orderBy('email')
      .execute();
    return rows.map(toUser);
  }

  async addGrant(userId: string, grant: { role: Role; schoolId?: string; organisationId?: string }): Promise<void> {
    const exists = (await this.grantsOf(userId)).some(
      (g) =>
        g.role === grant.role &&
        g.schoolId === (grant.schoolId ?? null) &&
        g.organisationId === (grant.organisationId ?? null),
    );
    if (exists) return;
    await this.db
      .insertInto('user_roles')
      .values({
        user_id: userId,
        organisation_id: grant.organisationId ?? null,
        school_id: grant.schoolId ?? null,
        role: grant.role,
      })
      .execute();
  }

  async removeSchoolGrant(userId: string, schoolId: string, role: Role): Promise<number> {
    const r = await this.db
      .deleteFrom('user_roles')
      .where('user_id', '=', userId)
      .where('school_id', '=', schoolId)
      .where('role', '=', role)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async removeOrganisationGrant(userId: string, organisationId: string, role: Role): Promise<number> {
    const r = await this.db
      .deleteFrom('user_roles')
      .where('user_id', '=', userId)
      .where('school_id', 'is', null)
      .where('organisation_id', '=', organisationId)
      .where('role', '=', role)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async count(): Promise<number> {
    return countOf(
      await this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst(),
    );
  }
}
