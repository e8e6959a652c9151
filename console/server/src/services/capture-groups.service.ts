import type { FastifyInstance } from 'fastify';
import type { CaptureGroupsRepository, GroupableCapture } from '../repositories/capture-groups.repository';

/**
 * Puts a newly stored capture in its group, if it joins or completes one. A failure here is
 * logged and never loses the capture: it stays, ungrouped, in the list.
 */
export async function groupCapture(
  app: FastifyInstance,
  groups: CaptureGroupsRepository,
  c: GroupableCapture,
): Promise<string | null> {
  try {
    return (await groups.assign(c, app.clock.now())).groupId;
  } catch (err) {
    app.log.error({ captureId: c.id, err: (err as Error).message }, 'capture grouping failed');
    return null;
  }
}
