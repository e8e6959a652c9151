import type { Db } from '../db/database';

export interface Session {
  idHash: string;
  userId: string;
  csrfToken: string;
  method: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  method: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

const toSession = (r: SessionRow): Session => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  method: r.method,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

/** Sessions by the SHA-256 of their id: the cookie's value is never stored. */
export class SessionsRepository {
  constructor(private readonly db: Db) {}

  insert(s: Session): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, method, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.idHash, s.userId, s.csrfToken, s.method, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  byIdHash(idHash: string): Session | undefined {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    return r && toSession(r);
  }

  touch(idHash: string, now: Date): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now.toISOString(), idHash);
  }

  delete(idHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteForUser(userId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  /** Ends every session of the user but one (the one that asked). */
  deleteForUserExcept(userId: string, keepIdHash: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?').run(userId, keepIdHash).changes;
  }

  countForUser(userId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  deleteExpired(now: Date, idleSince: Date): number {
    return this.db
      .prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?')
      .run(now.toISOString(), idleSince.toISOString()).changes;
  }
}
