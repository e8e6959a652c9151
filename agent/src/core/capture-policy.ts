import type { MonitoredHours, PolicySettings } from '@vigil/shared';

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Day of week (0 Sunday) and minutes since midnight in school time. */
export function londonWeekTime(at: number): { day: number; minutes: number } {
  const parts = Object.fromEntries(LONDON_PARTS.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { day: WEEKDAYS.indexOf(parts.weekday ?? ''), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `at` falls in one of the windows (null: always). A window may run past midnight. */
export function isMonitored(windows: readonly MonitoredHours[] | null, at: number): boolean {
  if (windows === null) return true;
  const { day, minutes } = londonWeekTime(at);
  return windows.some((w) => {
    const start = toMinutes(w.start);
    const end = toMinutes(w.end);
    if (start <= end) return w.days.includes(day) && minutes >= start && minutes < end;
    // Overnight (e.g. 22:00–06:00): the evening belongs to the listed day, the morning to the next.
    return (w.days.includes(day) && minutes >= start) || (w.days.includes((day + 6) % 7) && minutes < end);
  });
}

export interface ThrottleDecision {
  /** Entries seen recently in this window: add to these captures' counts instead of a new capture. */
  repeats: { captureId: string; count: number }[];
  /** Entries not seen recently: these need a new capture. */
  fresh: string[];
}

interface Recent {
  captureId: string;
  at: number;
  count: number;
}

/**
 * Throttling: the same phrase in the same window within `throttleSeconds` of the capture that
 * first recorded it adds to that capture's count rather than taking a new screenshot.
 */
export class CaptureThrottle {
  private readonly recent = new Map<string, Recent>();

  constructor(private throttleMs: number) {}

  setThrottleSeconds(seconds: number): void {
    this.throttleMs = seconds * 1000;
  }

  decide(entryIds: readonly string[], windowKey: string, now: number): ThrottleDecision {
    this.forgetOlderThan(now);
    const repeats = new Map<string, number>();
    const fresh: string[] = [];
    for (const id of new Set(entryIds)) {
      const seen = this.recent.get(key(id, windowKey));
      if (seen) {
        seen.count += 1;
        repeats.set(seen.captureId, Math.max(repeats.get(seen.captureId) ?? 0, seen.count));
      } else {
        fresh.push(id);
      }
    }
    return { repeats: [...repeats].map(([captureId, count]) => ({ captureId, count })), fresh };
  }

  /** Whether any of these entries was captured recently, in any window (a repeat is possible). */
  seenRecently(entryIds: readonly string[], now: number): boolean {
    this.forgetOlderThan(now);
    for (const k of this.recent.keys()) {
      if (entryIds.some((id) => k.startsWith(`${id}\u0000`))) return true;
    }
    return false;
  }

  /** Records that `captureId` was made at `now` for these entries in this window. */
  remember(entryIds: readonly string[], windowKey: string, captureId: string, now: number): void {
    for (const id of entryIds) this.recent.set(key(id, windowKey), { captureId, at: now, count: 1 });
  }

  private forgetOlderThan(now: number): void {
    for (const [k, r] of this.recent) if (now - r.at >= this.throttleMs) this.recent.delete(k);
  }
}

const key = (entryId: string, windowKey: string) => `${entryId}\u0000${windowKey}`;

/** What decides whether a match becomes a capture: severity, hours, throttling. */
export class CapturePolicy {
  readonly throttle: CaptureThrottle;

  constructor(private settings: PolicySettings) {
    this.throttle = new CaptureThrottle(settings.throttleSeconds * 1000);
  }

  update(settings: PolicySettings): void {
    this.settings = settings;
    this.throttle.setThrottleSeconds(settings.throttleSeconds);
  }

  get current(): PolicySettings {
    return this.settings;
  }

  get minSeverity(): number {
    return this.settings.minSeverity;
  }

  monitoredAt(at: number): boolean {
    return isMonitored(this.settings.monitoredHours, at);
  }
}
