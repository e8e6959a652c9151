import type { HeartbeatRequest, HeartbeatResponse } from '@vigil/shared';
import { ManualClock } from '../test-support/manual-clock';
import { MemoryLogger } from '../test-support/memory-logger';
import type { ConnectionAttempt } from './agent-status.schema';
import { Heartbeat } from './heartbeat';
import type { TransportResult } from './ports';

function setup(answer: () => TransportResult<HeartbeatResponse>) {
  const clock = new ManualClock();
  const sent: HeartbeatRequest[] = [];
  const attempts: ConnectionAttempt[] = [];
  const responses: HeartbeatResponse[] = [];
  const heartbeat = new Heartbeat({
    transport: {
      heartbeat: (request) => {
        sent.push(request);
        return Promise.resolve(answer());
      },
    },
    outbox: { depth: () => Promise.resolve(3) },
    clock,
    log: new MemoryLogger(),
    intervalMs: 60_000,
    agentVersion: '0.1.0',
    user: 'pupil',
    policyVersion: () => 'builtin-1',
    lastCaptureAt: () => '2025-01-06T08:00:00.000Z',
    onAttempt: (a) => attempts.push(a),
    onResponse: (r) => responses.push(r),
  });
  return { clock, sent, attempts, responses, heartbeat };
}

const OK: TransportResult<HeartbeatResponse> = {
  kind: 'ok',
  value: { serverTime: '2025-01-06T09:00:00.000Z', policyVersion: 'v2' },
};

describe('Heartbeat', () => {
  it('beats at once, then every interval, with the queue depth and versions', async () => {
    const { clock, sent, responses, heartbeat } = setup(() => OK);
    heartbeat.start();
    await clock.advance(0);
    expect(sent).toEqual([
      {
        agentVersion: '0.1.0',
        policyVersion: 'builtin-1',
        queueDepth: 3,
        user: 'pupil',
        lastCaptureAt: '2025-01-06T08:00:00.000Z',
        sentAt: new Date(clock.now()).toISOString(),
      },
    ]);
    await clock.advance(59_999);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect(sent).toHaveLength(2);
    expect(responses.map((r) => r.policyVersion)).toEqual(['v2', 'v2']);
    await heartbeat.stop();
    expect(clock.pending()).toEqual([]);
  });

  it('keeps beating through failures, and reports them', async () => {
    const { clock, sent, attempts, heartbeat } = setup(() => ({
      kind: 'retryable',
      code: 'AGENT_ERR_CONSOLE_UNREACHABLE',
      httpStatus: null,
      retryAfterMs: null,
    }));
    heartbeat.start();
    await clock.advance(120_000);
    expect(sent).toHaveLength(3);
    expect(attempts.every((a) => !a.ok && a.code === 'AGENT_ERR_CONSOLE_UNREACHABLE' && a.call === 'heartbeat')).toBe(
      true,
    );
    await heartbeat.stop();
  });

  it("beats at the school's interval once the policy sets one", async () => {
    const { clock, sent, heartbeat } = setup(() => OK);
    heartbeat.start();
    await clock.advance(0);
    expect(sent).toHaveLength(1);
    heartbeat.setIntervalMs(300_000);
    await clock.advance(60_000); // the beat planned before the change
    expect(sent).toHaveLength(2);
    await clock.advance(299_000);
    expect(sent).toHaveLength(2);
    await clock.advance(1_000);
    expect(sent).toHaveLength(3);
    await heartbeat.stop();
  });
});
