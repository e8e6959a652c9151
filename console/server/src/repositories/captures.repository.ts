import type { CaptureMatch, CaptureMetadata } from '@vigil/shared';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import { inTransaction, Prepared, type Kdb } from '../db/database';
import type { CapturesTable } from '../db/schema';

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

/** A row as the database returns it; `source` holds only the protocol's capture sources. */
type CaptureRow = Omit<Selectable<CapturesTable>, 'source'> & { source: CaptureMetadata['source'] };

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
  /** A capture group once, as its newest member that the other filters select. */
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

/** Rows read per query when going through every capture of some schools (keyword statistics). */
const SCAN_PAGE = 5000;

// Every capture an agent uploads runs these two: compiled once (see Prepared).
const BY_ID = new Prepared(1, (db, id: string) => db.selectFrom('captures').selectAll().where('id', '=', id));
type InsertArgs = [
  id: string,
  schoolId: string,
  deviceId: string,
  capturedAt: string,
  receivedAt: string,
  user: string,
  source: string,
  app: string,
  windowTitle: string,
  url: string | null,
  context: string,
  matchesJson: string,
  severity: number,
  count: number,
  policyVersion: string,
  screenshotKey: string,
  screenshotType: string,
  screenshotWidth: number,
  screenshotHeight: number,
  thumbnailKey: string | null,
];
const INSERT = new Prepared<InsertArgs, never>(20, (db, ...a) =>
  db
    .insertInto('captures')
    .values({
      id: a[0],
      school_id: a[1],
      device_id: a[2],
      captured_at: a[3],
      received_at: a[4],
      user_name: a[5],
      source: a[6],
      app: a[7],
      window_title: a[8],
      url: a[9],
      context: a[10],
      matches_json: a[11],
      severity: a[12],
      count: a[13],
      policy_version: a[14],
      screenshot_key: a[15],
      screenshot_type: a[16],
      screenshot_width: a[17],
      screenshot_height: a[18],
      thumbnail_key: a[19],
    })
    .onConflict((oc) => oc.column('id').doNothing()),
);

export class CapturesRepository {
  constructor(private readonly db: Kdb) {}

  /** Stores a capture once: returns false (and changes nothing) when its id is already stored. */
  async insert(c: Omit<StoredCapture, 'status' | 'assigneeId' | 'hold' | 'groupId'>): Promise<boolean> {
    const { changes } = await INSERT.execute(
      this.db,
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
    return changes === 1;
  }

  async byId(id: string): Promise<StoredCapture | undefined> {
    const r = (await BY_ID.execute(this.db, id)).rows[0];
    return r && toCapture(r as CaptureRow);
  }

  /** Every capture of a school, oldest first, optionally only those captured at or after `since`. */
  async listBySchool(schoolId: string, since?: string): Promise<StoredCapture[]> {
    let query = this.db.selectFrom('captures').selectAll().where('school_id', '=', schoolId);
    if (since) query = query.where('captured_at', '>=', since);
    const rows = await query.orderBy('captured_at').orderBy('id').execute();
    return (rows as CaptureRow[]).map(toCapture);
  }

  /** The dashboard list: newest first (capturedAt, then id), keyset-paginated, only within `schoolIds`. */
  async search(q: CaptureQuery): Promise<StoredCapture[]> {
    if (q.schoolIds.length === 0) return [];
    // The filters, as conditions on a capture row `t`: the list's rows, and (collapsed) the members
    // of their groups, since a group is shown as its newest member that the filters select.
    const filters: ((t: 'captures' | 'g') => RawBuilder<boolean>)[] = [];
    const col = (t: string, name: string) => sql.ref(`${t}.${name}`);
    if (q.severityMin !== undefined) {
      const min = q.severityMin;
      filters.push((t) => sql<boolean>`${col(t, 'severity')} >= ${min}`);
    }
    if (q.severityMax !== undefined) {
      const max = q.severityMax;
      filters.push((t) => sql<boolean>`${col(t, 'severity')} <= ${max}`);
    }
    if (q.category !== undefined) {
      const pattern = `%"category":"${likeEscape(q.category)}"%`;
      filters.push((t) => sql<boolean>`${col(t, 'matches_json')} LIKE ${pattern} ESCAPE '\\'`);
    }
    for (const [value, name] of [
      [q.status, 'status'],
      [q.user, 'user_name'],
      [q.deviceId, 'device_id'],
      [q.source, 'source'],
    ] as const) {
      if (value !== undefined) filters.push((t) => sql<boolean>`${col(t, name)} = ${value}`);
    }
    if (q.from !== undefined) {
      const from = q.from;
      filters.push((t) => sql<boolean>`${col(t, 'captured_at')} >= ${from}`);
    }
    if (q.to !== undefined) {
      const to = q.to;
      filters.push((t) => sql<boolean>`${col(t, 'captured_at')} <= ${to}`);
    }
    if (q.q !== undefined) {
      const pattern = `%${likeEscape(q.q)}%`;
      filters.push(
        (t) =>
          sql<boolean>`(LOWER(${col(t, 'context')}) LIKE ${pattern} ESCAPE '\\' OR LOWER(${col(t, 'window_title')}) LIKE ${pattern} ESCAPE '\\')`,
      );
    }
    let query = this.db.selectFrom('captures').selectAll('captures').where('school_id', 'in', q.schoolIds);
    for (const f of filters) query = query.where(f('captures'));
    if (q.collapseGroups) {
      // Ungrouped, or no newer member of its group that the filters also select.
      query = query.where((eb) =>
        eb.or([
          eb('captures.group_id', 'is', null),
          eb.not(
            eb.exists(
              filters.reduce(
                (sub, f) => sub.where(f('g')),
                eb
                  .selectFrom('captures as g')
                  .select(sql`1`.as('one'))
                  .whereRef('g.group_id', '=', 'captures.group_id')
                  .where((g) =>
                    g.or([
                      g('g.captured_at', '>', g.ref('captures.captured_at')),
                      g.and([
                        g('g.captured_at', '=', g.ref('captures.captured_at')),
                        g('g.id', '>', g.ref('captures.id')),
                      ]),
                    ]),
                  ),
              ),
            ),
          ),
        ]),
      );
    }
    const before = q.before;
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('captured_at', '<', before.capturedAt),
          eb.and([eb('captured_at', '=', before.capturedAt), eb('captures.id', '<', before.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('captured_at', 'desc').orderBy('captures.id', 'desc').limit(q.limit).execute();
    return (rows as CaptureRow[]).map(toCapture);
  }

  /** The same pupil's captures at the same school before this one, newest first. */
  async earlierForUser(c: StoredCapture, limit: number): Promise<StoredCapture[]> {
    const rows = await this.db
      .selectFrom('captures')
      .selectAll()
      .where('school_id', '=', c.schoolId)
      .where('user_name', '=', c.user)
      .where('id', '<>', c.id)
      .where((eb) =>
        eb.or([
          eb('captured_at', '<', c.capturedAt),
          eb.and([eb('captured_at', '=', c.capturedAt), eb('id', '<', c.id)]),
        ]),
      )
      .orderBy('captured_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return (rows as CaptureRow[]).map(toCapture);
  }

  /** Applies a review change and writes its history row in one transaction. */
  async review(
    c: StoredCapture,
    change: ReviewChange,
    userId: string,
    now: Date,
    historyId: string,
  ): Promise<StoredCapture> {
    return inTransaction(this.db, (trx) => this.applyReview(trx, c, change, userId, now, historyId));
  }

  /** The same change to several captures, all in one transaction: every one changes or none does. */
  async reviewMany(
    items: readonly { capture: StoredCapture; historyId: string }[],
    change: ReviewChange,
    userId: string,
    now: Date,
  ): Promise<StoredCapture[]> {
    return inTransaction(this.db, async (trx) => {
      const out: StoredCapture[] = [];
      for (const { capture, historyId } of items) {
        out.push(await this.applyReview(trx, capture, change, userId, now, historyId));
      }
      return out;
    });
  }

  private async applyReview(
    trx: Kdb,
    c: StoredCapture,
    change: ReviewChange,
    userId: string,
    now: Date,
    historyId: string,
  ): Promise<StoredCapture> {
    const status = change.status ?? c.status;
    const assigneeId = change.assigneeId === undefined ? c.assigneeId : change.assigneeId;
    const hold = change.hold ?? c.hold;
    await trx
      .updateTable('captures')
      .set({ status, assignee_id: assigneeId, hold: hold ? 1 : 0 })
      .where('id', '=', c.id)
      .execute();
    await trx
      .insertInto('capture_history')
      .values({
        id: historyId,
        capture_id: c.id,
        school_id: c.schoolId,
        user_id: userId,
        at: now.toISOString(),
        status_from: status !== c.status ? c.status : null,
        status_to: status !== c.status ? status : null,
        assignee_from: assigneeId !== c.assigneeId ? c.assigneeId : null,
        assignee_to: assigneeId !== c.assigneeId ? assigneeId : null,
        hold_to: hold !== c.hold ? (hold ? 1 : 0) : null,
        note: change.note ?? null,
      })
      .execute();
    return { ...c, status, assigneeId, hold };
  }

  /** Per keyword entry: how many captures of these schools matched it, and how many were false positives. */
  async keywordStats(schoolIds: readonly string[]): Promise<KeywordStat[]> {
    if (schoolIds.length === 0) return [];
    const stats = new Map<string, KeywordStat>();
    // Page by id, so memory stays bounded however many captures there are (no cursors needed on either dialect).
    let after: string | null = null;
    for (;;) {
      let query = this.db
        .selectFrom('captures')
        .select(['id', 'matches_json', 'status'])
        .where('school_id', 'in', schoolIds);
      if (after !== null) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(SCAN_PAGE).execute();
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
      if (rows.length < SCAN_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    return [...stats.values()].sort(
      (a, b) => b.falsePositives - a.falsePositives || a.entryId.localeCompare(b.entryId),
    );
  }

  /** Captures of a school captured before `cutoff` that retention may delete: not escalated, not on hold. */
  async purgeable(schoolId: string, cutoff: string): Promise<StoredCapture[]> {
    const rows = await this.db
      .selectFrom('captures')
      .selectAll()
      .where('school_id', '=', schoolId)
      .where('captured_at', '<', cutoff)
      .where('status', '<>', 'escalated')
      .where('hold', '=', 0)
      .orderBy('captured_at')
      .orderBy('id')
      .execute();
    return (rows as CaptureRow[]).map(toCapture);
  }

  /** Deletes captures and their review history, in one transaction. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return inTransaction(this.db, async (trx) => {
      let n = 0;
      for (const id of ids) {
        await trx.deleteFrom('capture_history').where('capture_id', '=', id).execute();
        const r = await trx.deleteFrom('captures').where('id', '=', id).executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      return n;
    });
  }

  async history(captureId: string): Promise<HistoryEntry[]> {
    const rows = await this.db
      .selectFrom('capture_history as h')
      .leftJoin('users as u', 'u.id', 'h.user_id')
      .selectAll('h')
      .select('u.email')
      .where('h.capture_id', '=', captureId)
      .orderBy('h.at')
      .orderBy('h.id')
      .execute();
    return rows.map((r) => ({
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
