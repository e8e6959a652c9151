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
/** Captures whose blobs go in one deleteMany (a screenshot and a thumbnail each: 1,000 keys). */
const PURGE_BATCH = 500;

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
  const failures: { schoolId: string; left: number }[] = [];
  for (const schoolId of schoolIds) {
    const { retentionDays } = await repos.schools.settings(schoolId);
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    const expired = await repos.captures.purgeable(schoolId, cutoff);
    const entry: SchoolPurge = { schoolId, retentionDays, cutoff, captureIds: expired.map((c) => c.id) };
    result.schools.push(entry);
    if (options.dryRun || expired.length === 0) continue;
    // Blobs first, then rows: if the blob store fails (an S3 bucket out of reach), the captures whose
    // blobs are not yet gone keep their rows, so the next purge finds and retries them; a blob left
    // behind a deleted row would never be found again. Between the two steps a capture may show
    // without its screenshot; it is being purged anyway.
    // In batches (an S3 store deletes up to 1,000 objects a request): a capture whose screenshot
    // or thumbnail the store refused keeps its row too.
    const done: string[] = [];
    let failure: unknown;
    for (let at = 0; at < expired.length && failure === undefined; at += PURGE_BATCH) {
      const batch = expired.slice(at, at + PURGE_BATCH);
      let refused: Set<string>;
      try {
        refused = new Set(
          await blobs.deleteMany(
            batch.flatMap((c) => (c.thumbnailKey ? [c.screenshot.key, c.thumbnailKey] : [c.screenshot.key])),
          ),
        );
      } catch (err) {
        failure = err;
        break;
      }
      for (const c of batch) {
        if (refused.has(c.screenshot.key) || (c.thumbnailKey !== null && refused.has(c.thumbnailKey))) {
          failure ??= new Error('the blob store refused to delete some screenshots');
        } else done.push(c.id);
      }
    }
    entry.captureIds = done;
    if (done.length > 0) result.deleted += await repos.captures.deleteMany(done);
    if (failure !== undefined) failures.push({ schoolId, left: expired.length - done.length });
    const actor = options.actor ?? CLI_ACTOR;
    if (done.length > 0) {
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
          details: { deleted: done.length, retentionDays, cutoff, captureIds: entry.captureIds.join(',') },
        },
        now,
      );
    }
    // The store is failing: the other schools wait for the next purge rather than each time out.
    if (failure !== undefined) break;
  }
  if (failures.length > 0) {
    throw new PurgeIncompleteError(result, failures);
  }
  return result;
}

/** The blob store failed part-way: what was deleted is in `result` (and audited); the rest waits for the next purge. */
export class PurgeIncompleteError extends Error {
  constructor(
    readonly result: PurgeResult,
    readonly failures: { schoolId: string; left: number }[],
  ) {
    super(
      `The retention purge could not delete every screenshot (the blob store failed): ${failures
        .map((f) => `${f.left} captures of school ${f.schoolId}`)
        .join(', ')} are kept for the next purge; ${result.deleted} captures were deleted`,
    );
  }
}
