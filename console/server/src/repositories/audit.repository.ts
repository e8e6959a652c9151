import type { Kdb } from '../db/database';
import { newId } from '../ids';
import { LISTS_AUDIT_ACTIONS } from './lists-audit-actions';
import { SUMMARY_AUDIT_ACTIONS } from '../summary/summary-audit-actions';

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
  ...SUMMARY_AUDIT_ACTIONS,
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
  constructor(private readonly db: Kdb) {}

  async append(entry: AuditEntry, now: Date): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        id: newId(),
        at: now.toISOString(),
        action: entry.action,
        outcome: entry.outcome,
        actor_user_id: entry.actorUserId,
        actor_label: entry.actorLabel,
        organisation_id: entry.organisationId,
        school_id: entry.schoolId,
        target_id: entry.targetId,
        ip: entry.ip,
        details_json: entry.details ? JSON.stringify(entry.details) : null,
      })
      .execute();
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    if (q.schoolIds.length === 0 && q.organisationIds.length === 0) return [];
    let query = this.db
      .selectFrom('audit_log')
      .selectAll()
      .where((eb) => {
        const scope = [];
        if (q.schoolIds.length > 0) scope.push(eb('school_id', 'in', q.schoolIds));
        if (q.organisationIds.length > 0) scope.push(eb('organisation_id', 'in', q.organisationIds));
        return eb.or(scope);
      });
    if (q.action) query = query.where('action', '=', q.action);
    if (q.actorUserId) query = query.where('actor_user_id', '=', q.actorUserId);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<=', q.to);
    const before = q.before;
    if (before) {
      query = query.where((eb) =>
        eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]),
      );
    }
    const rows = (await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()) as AuditRow[];
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
