import type { Db } from '../db/database';
import { newId } from '../ids';

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

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  must_change_password: number;
  created_at: string;
  totp_secret: string | null;
  failed_logins: number;
  locked_until: string | null;
  display_name: string | null;
  disabled_at: string | null;
  last_sign_in_at: string | null;
  totp_pending: string | null;
}

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

export class UsersRepository {
  constructor(private readonly db: Db) {}

  create(
    email: string,
    passwordHash: string,
    grants: { role: Role; schoolId?: string; organisationId?: string }[],
    now: Date,
    id: string = newId(),
  ): User {
    return this.db.transaction(() => {
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
      this.db
        .prepare(
          'INSERT INTO users (id, email, password_hash, must_change_password, created_at) VALUES (?, ?, ?, 1, ?)',
        )
        .run(user.id, user.email, user.passwordHash, user.createdAt);
      const grant = this.db.prepare(
        'INSERT INTO user_roles (user_id, organisation_id, school_id, role) VALUES (?, ?, ?, ?)',
      );
      for (const g of grants) grant.run(user.id, g.organisationId ?? null, g.schoolId ?? null, g.role);
      return user;
    })();
  }

  byEmail(email: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email.toLowerCase()) as UserRow | undefined;
    return r && toUser(r);
  }

  byId(id: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r && toUser(r);
  }

  grantsOf(userId: string): Grant[] {
    return (
      this.db
        .prepare('SELECT role, school_id, organisation_id FROM user_roles WHERE user_id = ? ORDER BY role')
        .all(userId) as { role: Role; school_id: string | null; organisation_id: string | null }[]
    ).map((r) => ({ role: r.role, schoolId: r.school_id, organisationId: r.organisation_id }));
  }

  /** Users holding one of `roles` for `schoolId`, directly or through its organisation. */
  idsWithRoleAt(userIds: readonly string[], roles: readonly Role[], schoolId: string): string[] {
    if (userIds.length === 0 || roles.length === 0) return [];
    return (
      this.db
        .prepare(
          `SELECT DISTINCT r.user_id FROM user_roles r
           WHERE r.user_id IN (${userIds.map(() => '?').join(', ')})
             AND r.role IN (${roles.map(() => '?').join(', ')})
             AND (r.school_id = ? OR r.organisation_id = (SELECT organisation_id FROM schools WHERE id = ?))`,
        )
        .all(...userIds, ...roles, schoolId, schoolId) as { user_id: string }[]
    ).map((r) => r.user_id);
  }

  setTotpSecret(userId: string, sealed: string | null): void {
    this.db.prepare('UPDATE users SET totp_secret = ? WHERE id = ?').run(sealed, userId);
  }

  /** A new password from an admin: one-time again, lock and failure count cleared. */
  resetPassword(userId: string, passwordHash: string): void {
    this.db
      .prepare(
        'UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_until = NULL WHERE id = ?',
      )
      .run(passwordHash, userId);
  }

  /** Counts a failed sign-in; at `maxFailures` the account locks until `lockUntil` and the count restarts. */
  recordLoginFailure(userId: string, maxFailures: number, lockUntil: Date): { locked: boolean } {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT failed_logins FROM users WHERE id = ?').get(userId) as
        { failed_logins: number } | undefined;
      const failures = (row?.failed_logins ?? 0) + 1;
      if (failures >= maxFailures) {
        this.db
          .prepare('UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?')
          .run(lockUntil.toISOString(), userId);
        return { locked: true };
      }
      this.db.prepare('UPDATE users SET failed_logins = ? WHERE id = ?').run(failures, userId);
      return { locked: false };
    })();
  }

  clearLoginFailures(userId: string): void {
    this.db.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(userId);
  }

  /** A password the user chose: no longer one-time; failures and lockout cleared. */
  setPassword(userId: string, passwordHash: string): void {
    this.db
      .prepare(
        'UPDATE users SET password_hash = ?, must_change_password = 0, failed_logins = 0, locked_until = NULL WHERE id = ?',
      )
      .run(passwordHash, userId);
  }

  setMustChangePassword(userId: string, value: boolean): void {
    this.db.prepare('UPDATE users SET must_change_password = ? WHERE id = ?').run(value ? 1 : 0, userId);
  }

  setDisplayName(userId: string, displayName: string | null): void {
    this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(displayName, userId);
  }

  setDisabled(userId: string, disabledAt: Date | null): void {
    this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabledAt?.toISOString() ?? null, userId);
  }

  recordSignIn(userId: string, now: Date): void {
    this.db.prepare('UPDATE users SET last_sign_in_at = ? WHERE id = ?').run(now.toISOString(), userId);
  }

  setTotpPending(userId: string, sealed: string | null): void {
    this.db.prepare('UPDATE users SET totp_pending = ? WHERE id = ?').run(sealed, userId);
  }

  /**
   * The pending secret becomes the confirmed one, and `codeHashes` replace every recovery code, in
   * one transaction.
   */
  confirmTotp(userId: string, sealed: string, codeHashes: readonly string[], now: Date): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET totp_secret = ?, totp_pending = NULL WHERE id = ?').run(sealed, userId);
      this.replaceRecoveryCodes(userId, codeHashes, now);
    })();
  }

  /** No authenticator any more: the user sets one up at their next sign-in (when their role needs it). */
  clearTotp(userId: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = ?').run(userId);
      this.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
    })();
  }

  replaceRecoveryCodes(userId: string, codeHashes: readonly string[], now: Date): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      const insert = this.db.prepare('INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)');
      for (const h of codeHashes) insert.run(userId, h, now.toISOString());
    })();
  }

  /** Marks an unused recovery code used; false when there is no such unused code. */
  useRecoveryCode(userId: string, codeHash: string, now: Date): boolean {
    return (
      this.db
        .prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL')
        .run(now.toISOString(), userId, codeHash).changes === 1
    );
  }

  recoveryCodesLeft(userId: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL').get(userId) as {
        n: number;
      }
    ).n;
  }

  /** Users with a role at the school, or an organisation-wide role in its organisation; by email. */
  listForSchool(schoolId: string, organisationId: string): User[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM users WHERE id IN (
             SELECT user_id FROM user_roles WHERE school_id = ?
             UNION SELECT user_id FROM user_roles WHERE school_id IS NULL AND organisation_id = ?)
           ORDER BY email`,
        )
        .all(schoolId, organisationId) as UserRow[]
    ).map(toUser);
  }

  addGrant(userId: string, grant: { role: Role; schoolId?: string; organisationId?: string }): void {
    const exists = this.grantsOf(userId).some(
      (g) =>
        g.role === grant.role &&
        g.schoolId === (grant.schoolId ?? null) &&
        g.organisationId === (grant.organisationId ?? null),
    );
    if (exists) return;
    this.db
      .prepare('INSERT INTO user_roles (user_id, organisation_id, school_id, role) VALUES (?, ?, ?, ?)')
      .run(userId, grant.organisationId ?? null, grant.schoolId ?? null, grant.role);
  }

  removeSchoolGrant(userId: string, schoolId: string, role: Role): number {
    return this.db
      .prepare('DELETE FROM user_roles WHERE user_id = ? AND school_id = ? AND role = ?')
      .run(userId, schoolId, role).changes;
  }

  removeOrganisationGrant(userId: string, organisationId: string, role: Role): number {
    return this.db
      .prepare('DELETE FROM user_roles WHERE user_id = ? AND school_id IS NULL AND organisation_id = ? AND role = ?')
      .run(userId, organisationId, role).changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
}
