import type { CaptureMatch } from '@vigil/shared';
import type { Db } from '../db/database';
import { newId } from '../ids';

/** Captures of the same keyword entry for this many distinct pupils of a school form a group... */
export const GROUP_MIN_PUPILS = 3;
/** ...when they all lie within this span (first to last, inclusive). */
export const GROUP_WINDOW_MS = 60 * 60 * 1000;
/** Severity-5 captures are never grouped: each one is looked at on its own. */
export const GROUP_MAX_SEVERITY = 4;

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
  matches: readonly CaptureMatch[];
}

interface Candidate {
  id: string;
  at: number;
  user: string;
}

/**
 * Capture groups (migration 30), decided when a capture is stored: the work is a few indexed
 * lookups per capture, where deciding on read would scan every list page's neighbourhood.
 */
export class CaptureGroupsRepository {
  private readonly insertEntry;
  private readonly groupsNear;
  private readonly ungroupedNear;
  private readonly setGroup;
  private readonly insertGroup;
  private readonly statsStmt;

  constructor(private readonly db: Db) {
    this.insertEntry = db.prepare(
      `INSERT INTO capture_entries (capture_id, school_id, entry_id, captured_at, user_name) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    // Groups span at most an hour, so their members near this capture are all of them.
    this.groupsNear = db.prepare(
      `SELECT g.id, MIN(c.captured_at) AS first_at, MAX(c.captured_at) AS last_at
       FROM capture_entries e JOIN captures c ON c.id = e.capture_id
         JOIN capture_groups g ON g.id = c.group_id AND g.entry_id = e.entry_id
       WHERE e.school_id = ? AND e.entry_id = ? AND e.captured_at >= ? AND e.captured_at <= ?
       GROUP BY g.id ORDER BY first_at`,
    );
    this.ungroupedNear = db.prepare(
      `SELECT e.capture_id AS id, e.captured_at AS at, e.user_name AS user FROM capture_entries e
       JOIN captures c ON c.id = e.capture_id
       WHERE e.school_id = ? AND e.entry_id = ? AND e.captured_at >= ? AND e.captured_at <= ? AND c.group_id IS NULL
       ORDER BY e.captured_at, e.capture_id`,
    );
    this.setGroup = db.prepare('UPDATE captures SET group_id = ? WHERE id = ? AND group_id IS NULL');
    this.insertGroup = db.prepare(
      'INSERT INTO capture_groups (id, school_id, entry_id, phrase, category, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.statsStmt = db.prepare(
      `SELECT g.*, COUNT(c.id) AS member_count, COUNT(DISTINCT c.user_name) AS pupil_count,
         MIN(c.captured_at) AS first_at, MAX(c.captured_at) AS last_at, MAX(c.severity) AS severity
       FROM capture_groups g JOIN captures c ON c.group_id = g.id WHERE g.id = ? GROUP BY g.id`,
    );
  }

  /**
   * Records a newly stored capture's keyword entries and puts it in a group when it joins one or
   * completes one (≥ 3 distinct pupils, same entry, same school, within an hour). Returns the
   * group id and the ids of every capture whose group changed (empty when none).
   */
  assign(c: GroupableCapture, now: Date): { groupId: string | null; changed: string[] } {
    if (c.severity > GROUP_MAX_SEVERITY || c.matches.length === 0) return { groupId: null, changed: [] };
    const at = Date.parse(c.capturedAt);
    // The strings are compared with a margin; the exact hour is checked on parsed times below.
    const lo = new Date(at - 2 * GROUP_WINDOW_MS).toISOString();
    const hi = new Date(at + 2 * GROUP_WINDOW_MS).toISOString();
    const byEntry = new Map<string, CaptureMatch>();
    for (const m of [...c.matches].sort((a, b) => b.severity - a.severity || a.start - b.start)) {
      if (!byEntry.has(m.entryId)) byEntry.set(m.entryId, m);
    }
    return this.db.transaction(() => {
      for (const entryId of byEntry.keys()) this.insertEntry.run(c.id, c.schoolId, entryId, c.capturedAt, c.user);
      for (const [entryId, match] of byEntry) {
        // Join a group of this entry when the group, with this capture, still spans at most an hour.
        const groups = this.groupsNear.all(c.schoolId, entryId, lo, hi) as {
          id: string;
          first_at: string;
          last_at: string;
        }[];
        for (const g of groups) {
          const first = Math.min(Date.parse(g.first_at), at);
          const last = Math.max(Date.parse(g.last_at), at);
          if (last - first <= GROUP_WINDOW_MS && this.setGroup.run(g.id, c.id).changes === 1) {
            return { groupId: g.id, changed: [c.id] };
          }
        }
        // Or complete a new one with ungrouped captures of the entry in an hour that includes this one.
        const near = (this.ungroupedNear.all(c.schoolId, entryId, lo, hi) as { id: string; at: string; user: string }[])
          .map((r): Candidate => ({ id: r.id, at: Date.parse(r.at), user: r.user }))
          .sort((a, b) => a.at - b.at);
        const members = firstQualifyingWindow(near, at, c.id);
        if (members) {
          const id = newId();
          this.insertGroup.run(id, c.schoolId, entryId, match.phrase, match.category, now.toISOString());
          for (const m of members) this.setGroup.run(id, m.id);
          return { groupId: id, changed: members.map((m) => m.id) };
        }
      }
      return { groupId: null, changed: [] };
    })();
  }

  byId(id: string): CaptureGroup | undefined {
    const r = this.statsStmt.get(id) as
      | {
          id: string;
          school_id: string;
          entry_id: string;
          phrase: string;
          category: string;
          severity: number;
          first_at: string;
          last_at: string;
          member_count: number;
          pupil_count: number;
        }
      | undefined;
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
        memberCount: r.member_count,
        pupilCount: r.pupil_count,
      }
    );
  }

  /** The ids of a group's members, newest first. */
  memberIds(groupId: string): string[] {
    return this.db
      .prepare('SELECT id FROM captures WHERE group_id = ? ORDER BY captured_at DESC, id DESC')
      .pluck()
      .all(groupId) as string[];
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
