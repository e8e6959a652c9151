import type { CaptureMatch, CaptureMetadata } from '@vigil/shared';
import type { Db } from '../db/database';

export interface StoredCapture extends CaptureMetadata {
  schoolId: string;
  receivedAt: string;
  status: string;
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
  screenshot: {
    key: r.screenshot_key,
    type: r.screenshot_type,
    width: r.screenshot_width,
    height: r.screenshot_height,
  },
  thumbnailKey: r.thumbnail_key,
});

export class CapturesRepository {
  constructor(private readonly db: Db) {}

  /** Stores a capture once: returns false (and changes nothing) when its id is already stored. */
  insert(c: Omit<StoredCapture, 'status'>): boolean {
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
}
