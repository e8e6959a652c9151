import type { CaptureMatch } from '@vigil/shared';
import { sql } from 'kysely';
import { inTransaction, Prepared, type Kdb } from '../db/database';
import { newId } from '../ids';

/** Captures of the same keyword entry for this many distinct pupils of a school form a group... */
export const GROUP_MIN_PUPILS = 3;
/** ...when they all lie within this span (first to last, inclusive). */
export const GROUP_WINDOW_MS = 60 * 60 * 1000;
/** Severity-5 captures are never grouped: each one is looked at on its own. */
export const GROUP_MAX_SEVERITY = 4;
/**
 * Sources never grouped: a pupil's own "Report a concern" (every report shares one entry, and each
 * must be read on its own) and an IT admin's test capture.
 */
export const UNGROUPED_SOURCES: ReadonlySet<string> = new Set(['report', 'test']);

export interface CaptureGroup {
  id: string;
  schoolId: string;
  entryId: string;
  phrase: string;
  category: string;
  severity: number;
  firstAt: string;
  lastAt: string;
  memberCount: number;
  pupilCount: number;
}

export interface GroupableCapture {
  id: string;
  schoolId: string;
  capturedAt: string;
  user: string;
  severity: number;
  source: string;
  matches: readonly CaptureMatch[];
}

interface Candidate {
  id: string;
  at: number;
  user: string;
}

// Every groupable capture runs these at ingest: compiled once (see Prepared).
const SET_GROUP = new Prepared(2, (db, groupId: string, captureId: string) =>
  db.updateTable('captures').set({ group_id: groupId }).where('id', '=', captureId).where('group_id', 'is', null),
);
const INSERT_ENTRY = new Prepared(
  5,
  (db, captureId: string, schoolId: string, entryId: string, capturedAt: string, user: string) =>
    db
      .insertInto('capture_entries')
      .values({
        capture_id: captureId,
        school_id: schoolId,
        entry_id: entryId,
        captured_at: capturedAt,
        user_name: user,
      })
      .onConflict((oc) => oc.doNothing()),
);
// The school's groups of the entry whose span [first_at, last_at] comes near this capture: one probe of
// capture_groups(school_id, entry_id, last_at) (migration 31), however large the groups grow.
const GROUPS_NEAR = new Prepared(4, (db, schoolId: string, entryId: string, lo: string, hi: string) =>
  db
    .selectFrom('capture_groups')
    .select(['id', 'first_at', 'last_at'])
    .where('school_id', '=', schoolId)
    .where('entry_id', '=', entryId)
    .where('last_at', '>=', lo)
    .where('first_at', '<=', hi)
    .orderBy('first_at')
    .orderBy('id'),
);
// A member joined: the group's span grows to take in its time (compared in SQL, so two joins at once
// on PostgreSQL cannot undo each other's widening).
const WIDEN_GROUP = new Prepared(2, (db, groupId: string, at: string) =>
  db
    .updateTable('capture_groups')
    .set({
      first_at: sql<string>`CASE WHEN first_at <= ${at} THEN first_at ELSE ${at} END`,
      last_at: sql<string>`CASE WHEN last_at >= ${at} THEN last_at ELSE ${at} END`,
    })
    .where('id', '=', groupId),
);
const UNGROUPED_NEAR = new Prepared(4, (db, schoolId: string, entryId: string, lo: string, hi: string) =>
  db
    .selectFrom('capture_entries as e')
    .innerJoin('captures as c', 'c.id', 'e.capture_id')
    .select(['e.capture_id as id', 'e.captured_at as at', 'e.user_name as user'])
    .where('e.school_id', '=', schoolId)
    .where('e.entry_id', '=', entryId)
    .where('e.captured_at', '>=', lo)
    .where('e.captured_at', '<=', hi)
    .where('c.group_id', 'is', null)
    .orderBy('e.captured_at')
    .orderBy('e.capture_id'),
);

/**
 * Capture groups (migration 30), decided when a capture is stored: the work is a few indexed
 * lookups per capture, where deciding on read would scan every list page's neighbourhood.
 */
export class CaptureGroupsRepository {
  constructor(private readonly db: Kdb) {}

  /**
   * Records a newly stored capture's keyword entries and puts it in a group when it joins one or
   * completes one (≥ 3 distinct pupils, same entry, same school, within an hour). Returns the
   * group id and the ids of every capture whose group changed (empty when none).
   */
  async assign(c: GroupableCapture, now: Date): Promise<{ groupId: string | null; changed: string[] }> {
    if (c.severity > GROUP_MAX_SEVERITY || c.matches.length === 0 || UNGROUPED_SOURCES.has(c.source)) {
      return { groupId: null, changed: [] };
    }
    const at = Date.parse(c.capturedAt);
    // The strings are compared with a margin; the exact hour is checked on parsed times below.
    const lo = new Date(at - 2 * GROUP_WINDOW_MS).toISOString();
    const hi = new Date(at + 2 * GROUP_WINDOW_MS).toISOString();
    const byEntry = new Map<string, CaptureMatch>();
    for (const m of [...c.matches].sort((a, b) => b.severity - a.severity || a.start - b.start)) {
      if (!byEntry.has(m.entryId)) byEntry.set(m.entryId, m);
    }
    // Times compared in SQL are written the one way (toISOString), so text order is time order.
    const atIso = new Date(at).toISOString();
    return inTransaction(this.db, async (trx) => {
      const setGroup = async (groupId: string, captureId: string): Promise<boolean> =>
        (await SET_GROUP.execute(trx, groupId, captureId)).changes === 1;
      // A capture's entry rows are only read while it is ungrouped: written before the search for a
      // new group of that entry (which counts this capture), and for every entry if it stays alone.
      const recorded = new Set<string>();
      const record = async (entryId: string): Promise<void> => {
        if (recorded.has(entryId)) return;
        recorded.add(entryId);
        await INSERT_ENTRY.execute(trx, c.id, c.schoolId, entryId, c.capturedAt, c.user);
      };
      for (const [entryId, match] of byEntry) {
        // Join a group of this entry when the group, with this capture, still spans at most an hour.
        const { rows: groups } = await GROUPS_NEAR.execute(trx, c.schoolId, entryId, lo, hi);
        for (const g of groups) {
          const first = Math.min(Date.parse(g.first_at!), at);
          const last = Math.max(Date.parse(g.last_at!), at);
          if (last - first <= GROUP_WINDOW_MS && (await setGroup(g.id, c.id))) {
            await WIDEN_GROUP.execute(trx, g.id, atIso);
            return { groupId: g.id, changed: [c.id] };
          }
        }
        // Or complete a new one with ungrouped captures of the entry in an hour that includes this one.
        await record(entryId);
        const near = (await UNGROUPED_NEAR.execute(trx, c.schoolId, entryId, lo, hi)).rows
          .map((r): Candidate => ({ id: r.id, at: Date.parse(r.at), user: r.user }))
          .sort((a, b) => a.at - b.at);
        const members = firstQualifyingWindow(near, at, c.id);
        if (members) {
          const id = newId();
          await trx
            .insertInto('capture_groups')
            .values({
              id,
              school_id: c.schoolId,
              entry_id: entryId,
              phrase: match.phrase,
              category: match.category,
              created_at: now.toISOString(),
              // firstQualifyingWindow returns members oldest first.
              first_at: new Date(members[0]!.at).toISOString(),
              last_at: new Date(members[members.length - 1]!.at).toISOString(),
            })
            .execute();
          for (const m of members) await setGroup(id, m.id);
          return { groupId: id, changed: members.map((m) => m.id) };
        }
      }
      for (const entryId of byEntry.keys()) await record(entryId);
      return { groupId: null, changed: [] };
    });
  }

  async byId(id: string): Promise<CaptureGroup | undefined> {
    const r = await this.db
      .selectFrom('capture_groups as g')
      .innerJoin('captures as c', 'c.group_id', 'g.id')
      .select((eb) => [
        'g.id',
        'g.school_id',
        'g.entry_id',
        'g.phrase',
        'g.category',
        eb.fn.count<number>('c.id').as('member_count'),
        eb.fn.count<number>('c.user_name').distinct().as('pupil_count'),
        eb.fn.min('c.captured_at').as('first_at'),
        eb.fn.max('c.captured_at').as('last_at'),
        eb.fn.max('c.severity').as('severity'),
      ])
      .where('g.id', '=', id)
      .groupBy(['g.id', 'g.school_id', 'g.entry_id', 'g.phrase', 'g.category'])
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        schoolId: r.school_id,
        entryId: r.entry_id,
        phrase: r.phrase,
        category: r.category,
        severity: r.severity,
        firstAt: r.first_at,
        lastAt: r.last_at,
        memberCount: Number(r.member_count),
        pupilCount: Number(r.pupil_count),
      }
    );
  }

  /** The ids of a group's members, newest first. */
  async memberIds(groupId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select('id')
      .where('group_id', '=', groupId)
      .orderBy('captured_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => r.id);
  }
}

/**
 * The earliest hour-long window holding the new capture and captures of at least 3 distinct
 * pupils; all captures in it become the group. Undefined when there is none.
 */
export function firstQualifyingWindow(sorted: readonly Candidate[], at: number, id: string): Candidate[] | undefined {
  for (const start of sorted) {
    if (start.at > at || at - start.at > GROUP_WINDOW_MS) continue;
    const window = sorted.filter((x) => x.at >= start.at && x.at - start.at <= GROUP_WINDOW_MS);
    if (!window.some((x) => x.id === id)) continue;
    if (new Set(window.map((x) => x.user)).size >= GROUP_MIN_PUPILS) return window;
  }
  return undefined;
}
