import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IsoInstantSchema } from '@vigil/shared';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CONSOLE_CALLS = ['enrol', 'upload', 'heartbeat', 'policy'] as const;

/** The outcome of the agent's latest call to the console: what `status` reports as "connection". */
export const ConnectionAttemptSchema = Type.Object(
  {
    at: IsoInstantSchema,
    call: Type.Union(CONSOLE_CALLS.map((c) => Type.Literal(c))),
    ok: Type.Boolean(),
    /** AGENT_ERR_* when the call failed. */
    code: Nullable(Type.String({ maxLength: 100 })),
    httpStatus: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);
export type ConnectionAttempt = Static<typeof ConnectionAttemptSchema>;

export const KEYBOARD_STATES = ['listening', 'unavailable', 'stopped'] as const;

/** What the running agent leaves on disk for `status` to read (never captured content). */
export const AgentStatusSchema = Type.Object(
  {
    /** The process id of the daemon that last started, so `status` can tell whether it still runs. */
    daemonPid: Nullable(Type.Integer({ minimum: 1 })),
    /** Whether that daemon hears key events. */
    keyboard: Nullable(Type.Union(KEYBOARD_STATES.map((s) => Type.Literal(s)))),
    lastAttempt: Nullable(ConnectionAttemptSchema),
    lastSuccessAt: Nullable(IsoInstantSchema),
    /** The policy version the console last reported in a heartbeat. */
    consolePolicyVersion: Nullable(Type.String({ maxLength: 100 })),
    lastCaptureAt: Nullable(IsoInstantSchema),
  },
  { additionalProperties: false },
);
export type AgentStatus = Static<typeof AgentStatusSchema>;

export const EMPTY_STATUS: AgentStatus = {
  daemonPid: null,
  keyboard: null,
  lastAttempt: null,
  lastSuccessAt: null,
  consolePolicyVersion: null,
  lastCaptureAt: null,
};
