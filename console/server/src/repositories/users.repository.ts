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
}

export class UsersRepository {
  constructor(private readonly db: Db) {}

  create(
    email: string,
    passwordHash: string,
    grants: { role: Role; schoolId?: string; organisationId?: string }[],
    now: Date,
  ): User {
    return this.db.transaction(() => {
      const user: User = {
        id: newId(),
        email: email.toLowerCase(),
        passwordHash,
        mustChangePassword: true,
        createdAt: now.toISOString(),
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
    const r = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email.toLowerCase()) as
      | { id: string; email: string; password_hash: string; must_change_password: number; created_at: string }
      | undefined;
    return (
      r && {
        id: r.id,
        email: r.email,
        passwordHash: r.password_hash,
        mustChangePassword: r.must_change_password === 1,
        createdAt: r.created_at,
      }
    );
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
}
