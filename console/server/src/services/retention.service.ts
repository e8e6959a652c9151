import type { Clock } from '../clock';
import type { BlobStore } from '../blob-store/blob-store';
import type { Repositories } from '../plugins/storage.plugin';
import { CLI_ACTOR, type Actor } from './user-accounts.service';

export interface PurgeOptions {
  /** Only this school; every school when absent. */
  schoolId?: string;
  /** Count what would go, delete nothing, audit nothing. */
  dryRun?: boolean;
  actor?: Actor;
}

export interface SchoolPurge {
  schoolId: string;
  retentionDays: number;
  /** Captured before this instant (now minus the retention) and neither escalated nor on hold. */
  cutoff: string;
  captureIds: string[];
}

export interface PurgeResult {
  at: string;
  dryRun: boolean;
  deleted: number;
  schools: SchoolPurge[];
}

const DAY_MS = 86_400_000;

/**
 * The retention purge: for each school, deletes the captures captured longer ago than the
 * school's retention (default 90 days), with their screenshot and thumbnail blobs and review
 * history, except escalated captures and captures on hold. Each school's purge is audited with
 * the count and the ids, never content. The daily job and `purge` on the CLI both run this.
 */
export async function purgeExpiredCaptures(
  repos: Repositories,
  blobs: BlobStore,
  clock: Clock,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const now = clock.now();
  const schoolIds = options.schoolId ? [options.schoolId] : (await repos.schools.list()).map((s) => s.id);
  const result: PurgeResult = { at: now.toISOString(), dryRun: options.dryRun ?? false, deleted: 0, schools: [] };
  for (const schoolId of schoolIds) {
    const { retentionDays } = await repos.schools.settings(schoolId);
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    const expired = await repos.captures.purgeable(schoolId, cutoff);
    const entry: SchoolPurge = { schoolId, retentionDays, cutoff, captureIds: expired.map((c) => c.id) };
    result.schools.push(entry);
    if (options.dryRun || expired.length === 0) continue;
    // Rows first: a blob left behind by a crash is unreachable; a row without its blob would be broken evidence.
    result.deleted += await repos.captures.deleteMany(entry.captureIds);
    for (const c of expired) {
      await blobs.delete(c.screenshot.key);
      if (c.thumbnailKey) await blobs.delete(c.thumbnailKey);
    }
    const actor = options.actor ?? CLI_ACTOR;
    await repos.audit.append(
      {
        action: 'capture.purge',
        outcome: 'success',
        actorUserId: actor.userId,
        actorLabel: actor.label,
        organisationId: (await repos.schools.byId(schoolId))?.organisationId ?? null,
        schoolId,
        targetId: null,
        ip: actor.ip,
        details: { deleted: expired.length, retentionDays, cutoff, captureIds: entry.captureIds.join(',') },
      },
      now,
    );
  }
  return result;
}
