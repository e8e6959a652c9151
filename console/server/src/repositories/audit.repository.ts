import type { Db } from '../db/database';
import { newId } from '../ids';
import { LISTS_AUDIT_ACTIONS } from './lists-audit-actions';

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'capture.list',
  'capture.view',
  'capture.screenshot',
  'capture.thumbnail',
  'capture.review',
  'user.create',
  'user.reset_password',
  'user.update',
  'user.roles_update',
  'user.disable',
  'user.enable',
  'user.remove',
  'user.password_change',
  'user.totp_setup',
  'user.totp_enrol',
  'user.recovery_codes',
  'subject_access.export',
  'session.purge',
  'device.revoke',
  'school.enrolment_token_view',
  'school.enrolment_token_rotate',
  'school.settings_update',
  'capture.purge',
  'capture.export',
  'summary.view',
  'summary.pdf',
  ...LISTS_AUDIT_ACTIONS,
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  action: AuditAction;
  outcome: 'success' | 'failure';
  actorUserId: string | null;
  /** Who acted, for people reading the log: an email, or `cli`. Never a password or code. */
  actorLabel: string;
  organisationId: string | null;
  schoolId: string | null;
  targetId: string | null;
  ip: string | null;
  /** Ids, counts and reasons only: never captured text. */
  details?: Record<string, string | number | boolean | null>;
}

export interface AuditRecord extends Omit<AuditEntry, 'details'> {
  id: string;
  at: string;
  details: Record<string, string | number | boolean | null> | null;
}

interface AuditRow {
  id: string;
  at: string;
  action: AuditAction;
  outcome: 'success' | 'failure';
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  school_id: string | null;
  target_id: string | null;
  ip: string | null;
  details_json: string | null;
}

export interface AuditQuery {
  /** Rows of these schools... */
  schoolIds: readonly string[];
  /** ...and rows of these organisations (org-wide events such as sign-ins). */
  organisationIds: readonly string[];
  action?: AuditAction;
  actorUserId?: string;
  from?: string;
  to?: string;
  before?: { at: string; id: string };
  limit: number;
}

/** The append-only audit log (the table refuses UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  append(entry: AuditEntry, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO audit_log (id, at, action, outcome, actor_user_id, actor_label, organisation_id, school_id,
           target_id, ip, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        newId(),
        now.toISOString(),
        entry.action,
        entry.outcome,
        entry.actorUserId,
        entry.actorLabel,
        entry.organisationId,
        entry.schoolId,
        entry.targetId,
        entry.ip,
        entry.details ? JSON.stringify(entry.details) : null,
      );
  }

  query(q: AuditQuery): AuditRecord[] {
    const scope: string[] = [];
    const args: (string | number)[] = [];
    if (q.schoolIds.length > 0) {
      scope.push(`school_id IN (${q.schoolIds.map(() => '?').join(', ')})`);
      args.push(...q.schoolIds);
    }
    if (q.organisationIds.length > 0) {
      scope.push(`organisation_id IN (${q.organisationIds.map(() => '?').join(', ')})`);
      args.push(...q.organisationIds);
    }
    if (scope.length === 0) return [];
    const where = [`(${scope.join(' OR ')})`];
    const add = (sql: string, value: string) => {
      where.push(sql);
      args.push(value);
    };
    if (q.action) add('action = ?', q.action);
    if (q.actorUserId) add('actor_user_id = ?', q.actorUserId);
    if (q.from) add('at >= ?', q.from);
    if (q.to) add('at <= ?', q.to);
    if (q.before) {
      where.push('(at < ? OR (at = ? AND id < ?))');
      args.push(q.before.at, q.before.at, q.before.id);
    }
    const rows = this.db
      .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...args, q.limit) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      outcome: r.outcome,
      actorUserId: r.actor_user_id,
      actorLabel: r.actor_label,
      organisationId: r.organisation_id,
      schoolId: r.school_id,
      targetId: r.target_id,
      ip: r.ip,
      details: r.details_json ? (JSON.parse(r.details_json) as AuditRecord['details']) : null,
    }));
  }
}
