import type { CaptureMatch, CaptureMetadata } from '@vigil/shared';
import type { Db } from '../db/database';

export interface StoredCapture extends CaptureMetadata {
  schoolId: string;
  receivedAt: string;
  status: string;
  assigneeId: string | null;
  /** Kept past the school's retention (a legal or safeguarding hold). */
  hold: boolean;
  /** The capture group it belongs to (same entry, ≥ 3 pupils, within an hour), if any. */
  groupId: string | null;
  screenshot: { key: string; type: string; width: number; height: number };
  thumbnailKey: string | null;
}

interface CaptureRow {
  id: string;
  school_id: string;
  device_id: string;
  captured_at: string;
  received_at: string;
  user_name: string;
  source: CaptureMetadata['source'];
  app: string;
  window_title: string;
  url: string | null;
  context: string;
  matches_json: string;
  severity: number;
  count: number;
  policy_version: string;
  screenshot_key: string;
  screenshot_type: string;
  screenshot_width: number;
  screenshot_height: number;
  thumbnail_key: string | null;
  status: string;
  assignee_id: string | null;
  hold: number;
  group_id: string | null;
}

const toCapture = (r: CaptureRow): StoredCapture => ({
  id: r.id,
  capturedAt: r.captured_at,
  deviceId: r.device_id,
  user: r.user_name,
  source: r.source,
  app: r.app,
  windowTitle: r.window_title,
  url: r.url,
  matches: JSON.parse(r.matches_json) as CaptureMatch[],
  context: r.context,
  severity: r.severity,
  count: r.count,
  policyVersion: r.policy_version,
  schoolId: r.school_id,
  receivedAt: r.received_at,
  status: r.status,
  assigneeId: r.assignee_id,
  hold: r.hold === 1,
  groupId: r.group_id ?? null,
  screenshot: {
    key: r.screenshot_key,
    type: r.screenshot_type,
    width: r.screenshot_width,
    height: r.screenshot_height,
  },
  thumbnailKey: r.thumbnail_key,
});

export const REVIEW_STATUSES = ['new', 'reviewed', 'false_positive', 'escalated', 'actioned'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Filters of the dashboard's list; every one optional except the schools the viewer may see. */
export interface CaptureQuery {
  schoolIds: readonly string[];
  severityMin?: number;
  severityMax?: number;
  category?: string;
  status?: string;
  user?: string;
  deviceId?: string;
  source?: string;
  from?: string;
  to?: string;
  q?: string;
  /** A capture group once, as its newest member (among all its members, filters aside). */
  collapseGroups?: boolean;
  /** Keyset position: captures strictly older than this (newest first by capturedAt, then id). */
  before?: { capturedAt: string; id: string };
  limit: number;
}

export interface HistoryEntry {
  id: string;
  captureId: string;
  userId: string;
  userEmail: string | null;
  at: string;
  statusFrom: string | null;
  statusTo: string | null;
  assigneeFrom: string | null;
  assigneeTo: string | null;
  holdTo: boolean | null;
  note: string | null;
}

export interface ReviewChange {
  status?: string;
  /** undefined: unchanged; null: unassigned. */
  assigneeId?: string | null;
  hold?: boolean;
  note?: string;
}

export interface KeywordStat {
  entryId: string;
  phrase: string;
  category: string;
  falsePositives: number;
  total: number;
}

/** LIKE with the pattern's own wildcards escaped; lower() on both sides keeps it case-blind on PostgreSQL too. */
const likeEscape = (text: string): string => text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

export class CapturesRepository {
  constructor(private readonly db: Db) {}

  /** Stores a capture once: returns false (and changes nothing) when its id is already stored. */
  insert(c: Omit<StoredCapture, 'status' | 'assigneeId' | 'hold' | 'groupId'>): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO captures (id, school_id, device_id, captured_at, received_at, user_name, source, app, window_title,
           url, context, matches_json, severity, count, policy_version, screenshot_key, screenshot_type,
           screenshot_width, screenshot_height, thumbnail_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        c.id,
        c.schoolId,
        c.deviceId,
        c.capturedAt,
        c.receivedAt,
        c.user,
        c.source,
        c.app,
        c.windowTitle,
        c.url,
        c.context,
        JSON.stringify(c.matches),
        c.severity,
        c.count,
        c.policyVersion,
        c.screenshot.key,
        c.screenshot.type,
        c.screenshot.width,
        c.screenshot.height,
        c.thumbnailKey,
      );
    return result.changes === 1;
  }

  byId(id: string): StoredCapture | undefined {
    const r = this.db.prepare('SELECT * FROM captures WHERE id = ?').get(id) as CaptureRow | undefined;
    return r && toCapture(r);
  }

  /** Every capture of a school, oldest first, optionally only those captured at or after `since`. */
  listBySchool(schoolId: string, since?: string): StoredCapture[] {
    const rows = since
      ? this.db
          .prepare('SELECT * FROM captures WHERE school_id = ? AND captured_at >= ? ORDER BY captured_at, id')
          .all(schoolId, since)
      : this.db.prepare('SELECT * FROM captures WHERE school_id = ? ORDER BY captured_at, id').all(schoolId);
    return (rows as CaptureRow[]).map(toCapture);
  }

  /** The dashboard list: newest first (capturedAt, then id), keyset-paginated, only within `schoolIds`. */
  search(q: CaptureQuery): StoredCapture[] {
    if (q.schoolIds.length === 0) return [];
    const where = [`school_id IN (${q.schoolIds.map(() => '?').join(', ')})`];
    const args: (string | number)[] = [...q.schoolIds];
    const add = (sql: string, ...values: (string | number)[]) => {
      where.push(sql);
      args.push(...values);
    };
    if (q.severityMin !== undefined) add('severity >= ?', q.severityMin);
    if (q.severityMax !== undefined) add('severity <= ?', q.severityMax);
    if (q.category !== undefined) add(`matches_json LIKE ? ESCAPE '\\'`, `%"category":"${likeEscape(q.category)}"%`);
    if (q.status !== undefined) add('status = ?', q.status);
    if (q.user !== undefined) add('user_name = ?', q.user);
    if (q.deviceId !== undefined) add('device_id = ?', q.deviceId);
    if (q.source !== undefined) add('source = ?', q.source);
    if (q.from !== undefined) add('captured_at >= ?', q.from);
    if (q.to !== undefined) add('captured_at <= ?', q.to);
    if (q.q !== undefined) {
      const pattern = `%${likeEscape(q.q)}%`;
      add(`(LOWER(context) LIKE ? ESCAPE '\\' OR LOWER(window_title) LIKE ? ESCAPE '\\')`, pattern, pattern);
    }
    if (q.collapseGroups)
      add(
        `(group_id IS NULL OR NOT EXISTS (SELECT 1 FROM captures g WHERE g.group_id = captures.group_id
           AND (g.captured_at > captures.captured_at OR (g.captured_at = captures.captured_at AND g.id > captures.id))))`,
      );
    if (q.before)
      add('(captured_at < ? OR (captured_at = ? AND id < ?))', q.before.capturedAt, q.before.capturedAt, q.before.id);
    const rows = this.db
      .prepare(`SELECT * FROM captures WHERE ${where.join(' AND ')} ORDER BY captured_at DESC, id DESC LIMIT ?`)
      .all(...args, q.limit) as CaptureRow[];
    return rows.map(toCapture);
  }

  /** The same pupil's captures at the same school before this one, newest first. */
  earlierForUser(c: StoredCapture, limit: number): StoredCapture[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM captures WHERE school_id = ? AND user_name = ? AND id <> ?
             AND (captured_at < ? OR (captured_at = ? AND id < ?))
           ORDER BY captured_at DESC, id DESC LIMIT ?`,
        )
        .all(c.schoolId, c.user, c.id, c.capturedAt, c.capturedAt, c.id, limit) as CaptureRow[]
    ).map(toCapture);
  }

  /** Applies a review change and writes its history row in one transaction. */
  review(c: StoredCapture, change: ReviewChange, userId: string, now: Date, historyId: string): StoredCapture {
    return this.db.transaction(() => this.applyReview(c, change, userId, now, historyId))();
  }

  /** The same change to several captures, all in one transaction: every one changes or none does. */
  reviewMany(
    items: readonly { capture: StoredCapture; historyId: string }[],
    change: ReviewChange,
    userId: string,
    now: Date,
  ): StoredCapture[] {
    return this.db.transaction(() =>
      items.map(({ capture, historyId }) => this.applyReview(capture, change, userId, now, historyId)),
    )();
  }

  private applyReview(
    c: StoredCapture,
    change: ReviewChange,
    userId: string,
    now: Date,
    historyId: string,
  ): StoredCapture {
    const status = change.status ?? c.status;
    const assigneeId = change.assigneeId === undefined ? c.assigneeId : change.assigneeId;
    const hold = change.hold ?? c.hold;
    this.db
      .prepare('UPDATE captures SET status = ?, assignee_id = ?, hold = ? WHERE id = ?')
      .run(status, assigneeId, hold ? 1 : 0, c.id);
    this.db
      .prepare(
        `INSERT INTO capture_history (id, capture_id, school_id, user_id, at, status_from, status_to, assignee_from,
           assignee_to, hold_to, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        historyId,
        c.id,
        c.schoolId,
        userId,
        now.toISOString(),
        status !== c.status ? c.status : null,
        status !== c.status ? status : null,
        assigneeId !== c.assigneeId ? c.assigneeId : null,
        assigneeId !== c.assigneeId ? assigneeId : null,
        hold !== c.hold ? (hold ? 1 : 0) : null,
        change.note ?? null,
      );
    return { ...c, status, assigneeId, hold };
  }

  /** Per keyword entry: how many captures of these schools matched it, and how many were false positives. */
  keywordStats(schoolIds: readonly string[]): KeywordStat[] {
    if (schoolIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT matches_json, status FROM captures WHERE school_id IN (${schoolIds.map(() => '?').join(', ')})`)
      .iterate(...schoolIds) as IterableIterator<{ matches_json: string; status: string }>;
    const stats = new Map<string, KeywordStat>();
    for (const r of rows) {
      const seen = new Set<string>();
      for (const m of JSON.parse(r.matches_json) as CaptureMatch[]) {
        if (seen.has(m.entryId)) continue;
        seen.add(m.entryId);
        const s = stats.get(m.entryId) ?? {
          entryId: m.entryId,
          phrase: m.phrase,
          category: m.category,
          falsePositives: 0,
          total: 0,
        };
        s.total += 1;
        if (r.status === 'false_positive') s.falsePositives += 1;
        stats.set(m.entryId, s);
      }
    }
    return [...stats.values()].sort(
      (a, b) => b.falsePositives - a.falsePositives || a.entryId.localeCompare(b.entryId),
    );
  }

  /** Captures of a school captured before `cutoff` that retention may delete: not escalated, not on hold. */
  purgeable(schoolId: string, cutoff: string): StoredCapture[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM captures WHERE school_id = ? AND captured_at < ? AND status <> 'escalated' AND hold = 0
           ORDER BY captured_at, id`,
        )
        .all(schoolId, cutoff) as CaptureRow[]
    ).map(toCapture);
  }

  /** Deletes captures and their review history, in one transaction. */
  deleteMany(ids: readonly string[]): number {
    const history = this.db.prepare('DELETE FROM capture_history WHERE capture_id = ?');
    const capture = this.db.prepare('DELETE FROM captures WHERE id = ?');
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) {
        history.run(id);
        n += capture.run(id).changes;
      }
      return n;
    })();
  }

  history(captureId: string): HistoryEntry[] {
    return (
      this.db
        .prepare(
          `SELECT h.*, u.email FROM capture_history h LEFT JOIN users u ON u.id = h.user_id
           WHERE h.capture_id = ? ORDER BY h.at, h.id`,
        )
        .all(captureId) as {
        id: string;
        capture_id: string;
        user_id: string;
        email: string | null;
        at: string;
        status_from: string | null;
        status_to: string | null;
        assignee_from: string | null;
        assignee_to: string | null;
        hold_to: number | null;
        note: string | null;
      }[]
    ).map((r) => ({
      id: r.id,
      captureId: r.capture_id,
      userId: r.user_id,
      userEmail: r.email,
      at: r.at,
      statusFrom: r.status_from,
      statusTo: r.status_to,
      assigneeFrom: r.assignee_from,
      assigneeTo: r.assignee_to,
      holdTo: r.hold_to === null ? null : r.hold_to === 1,
      note: r.note,
    }));
  }
}
