import type { SummaryData } from './summary.schema';
import { weekBefore, type IsoWeek } from './week';
import { directoryLookup, pupilLabel } from './pupil-label';
import { loginKey, type PupilEntry } from './pupil-directory';

/** What the builder needs of a capture: never its context, window title or screenshot. */
export interface CaptureFacts {
  id: string;
  capturedAt: string;
  user: string;
  deviceId: string;
  severity: number;
  status: string;
  categories: string[];
  phrases: string[];
}

export interface DeviceFacts {
  id: string;
  hostname: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

export interface SummaryInput {
  school: { id: string; name: string };
  week: IsoWeek;
  now: Date;
  /** Dashboard base URL, for links. */
  publicUrl: string;
  showNames: boolean;
  /** The school's pupil directory keyed by `loginKey` (empty when none is loaded). */
  pupils?: ReadonlyMap<string, PupilEntry>;
  /** Captures from the start of the 4th week before `week` to the end of `week`. */
  captures: readonly CaptureFacts[];
  /** Every capture still `new` at build time, whenever captured. */
  unreviewed: readonly CaptureFacts[];
  devices: readonly DeviceFacts[];
  notReportingMinutes: number;
  keywordListChanges: readonly { version: string; publishedAt: string; changelog?: string }[];
}

export const MAX_OF_INTEREST = 10;
/** Captures below this severity are counted but not listed as "of particular interest". */
export const INTEREST_MIN_SEVERITY = 3;
export const REPEATED_MIN_CAPTURES = 3;
const HOUR_MS = 3_600_000;

const within = (c: CaptureFacts, w: IsoWeek): boolean => {
  const t = Date.parse(c.capturedAt);
  return t >= w.start.getTime() && t < w.end.getTime();
};
const round1 = (n: number): number => Math.round(n * 10) / 10;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function change(
  thisWeek: readonly CaptureFacts[],
  lastWeek: readonly CaptureFacts[],
  fourWeeks: readonly CaptureFacts[],
  pick: (c: CaptureFacts) => boolean,
) {
  const count = thisWeek.filter(pick).length;
  const last = lastWeek.filter(pick).length;
  const average = round1(fourWeeks.filter(pick).length / 4);
  return {
    count,
    lastWeek: last,
    fourWeekAverage: average,
    changeFromLastWeek: count - last,
    changeFromAverage: round1(count - average),
  };
}

/** Severity first, unreviewed before reviewed, then newest. */
const interestOrder = (a: CaptureFacts, b: CaptureFacts): number =>
  b.severity - a.severity ||
  Number(b.status === 'new') - Number(a.status === 'new') ||
  b.capturedAt.localeCompare(a.capturedAt) ||
  a.id.localeCompare(b.id);

/** The weekly headline summary of one school: a pure function of the data read for it. */
export function buildSummary(input: SummaryInput): SummaryData {
  const { week, now } = input;
  const previous = weekBefore(week, 1);
  const fourBack = [1, 2, 3, 4].map((n) => weekBefore(week, n));
  const thisWeek = input.captures.filter((c) => within(c, week));
  const lastWeek = input.captures.filter((c) => within(c, previous));
  const fourWeeks = input.captures.filter((c) => fourBack.some((w) => within(c, w)));
  const hostOf = new Map(input.devices.map((d) => [d.id, d.hostname]));
  const known = directoryLookup(input.pupils ?? new Map());
  const label = (c: CaptureFacts): string => pupilLabel(c.user, hostOf.get(c.deviceId), input.showNames, known(c.user));

  const bySeverity = [5, 4, 3, 2, 1].map((severity) => ({
    severity,
    ...change(thisWeek, lastWeek, fourWeeks, (c) => c.severity === severity),
  }));
  const categories = [...new Set(input.captures.flatMap((c) => c.categories))].sort();
  const byCategory = categories
    .map((category) => ({ category, ...change(thisWeek, lastWeek, fourWeeks, (c) => c.categories.includes(category)) }))
    .filter((line) => line.count > 0 || line.lastWeek > 0)
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));

  const ofInterest = thisWeek
    .filter((c) => c.severity >= INTEREST_MIN_SEVERITY)
    .sort(interestOrder)
    .slice(0, MAX_OF_INTEREST)
    .map((c) => ({
      id: c.id,
      capturedAt: c.capturedAt,
      severity: c.severity,
      status: c.status,
      categories: c.categories,
      phrases: c.phrases,
      pupil: label(c),
      device: hostOf.get(c.deviceId) ?? 'unknown device',
      link: `${input.publicUrl}/captures/${encodeURIComponent(c.id)}`,
    }));

  // Repeated concerns are per pupil: the directory's entry (whichever form of the login the laptop
  // reported), else the login name. Two pupils with the same initials stay apart.
  const pupilKey = (c: CaptureFacts): string => {
    const entry = known(c.user);
    return entry ? `directory:${loginKey(entry.login)}` : `login:${c.user}`;
  };
  const byUser = new Map<string, CaptureFacts[]>();
  for (const c of thisWeek) byUser.set(pupilKey(c), [...(byUser.get(pupilKey(c)) ?? []), c]);
  const repeatedConcerns = [...byUser.values()]
    .filter((cs) => cs.length >= REPEATED_MIN_CAPTURES || cs.some((c) => c.severity === 5))
    .map((cs) => {
      const latest = [...cs].sort((a, b) => b.capturedAt.localeCompare(a.capturedAt))[0]!;
      return {
        pupil: label(latest),
        captures: cs.length,
        highestSeverity: Math.max(...cs.map((c) => c.severity)),
        categories: [...new Set(cs.flatMap((c) => c.categories))].sort(),
      };
    })
    .sort((a, b) => b.highestSeverity - a.highestSeverity || b.captures - a.captures || a.pupil.localeCompare(b.pupil));

  const unreviewed = input.unreviewed.filter((c) => c.status === 'new');
  const oldest = unreviewed.reduce<string | null>((m, c) => (m === null || c.capturedAt < m ? c.capturedAt : m), null);
  const unreviewedBySeverity: Record<string, number> = {};
  for (const c of unreviewed) unreviewedBySeverity[c.severity] = (unreviewedBySeverity[c.severity] ?? 0) + 1;
  const backlog = {
    unreviewed: unreviewed.length,
    unreviewedBySeverity,
    oldestUnreviewedAt: oldest,
    oldestAgeHours: oldest === null ? null : Math.floor((now.getTime() - Date.parse(oldest)) / HOUR_MS),
  };

  const limitMs = input.notReportingMinutes * 60_000;
  const devicesNotReporting = input.devices
    .filter((d) => d.revokedAt === null)
    .filter((d) => d.lastSeenAt === null || now.getTime() - Date.parse(d.lastSeenAt) > limitMs)
    .map((d) => ({
      hostname: d.hostname,
      lastSeenAt: d.lastSeenAt,
      silentHours: d.lastSeenAt === null ? null : Math.floor((now.getTime() - Date.parse(d.lastSeenAt)) / HOUR_MS),
    }))
    .sort((a, b) => (b.silentHours ?? Infinity) - (a.silentHours ?? Infinity) || a.hostname.localeCompare(b.hostname));

  const total = change(thisWeek, lastWeek, fourWeeks, () => true);
  return {
    schoolId: input.school.id,
    schoolName: input.school.name,
    week: week.key,
    weekStart: week.start.toISOString(),
    weekEnd: week.end.toISOString(),
    builtAt: now.toISOString(),
    headline: headline(
      total.count,
      total.lastWeek,
      unreviewedBySeverity,
      repeatedConcerns.length,
      backlog,
      devicesNotReporting.length,
    ),
    total,
    bySeverity,
    byCategory,
    ofInterest,
    repeatedConcerns,
    backlog,
    devicesNotReporting,
    keywordListChanges: input.keywordListChanges.filter(
      (k) => Date.parse(k.publishedAt) >= week.start.getTime() && Date.parse(k.publishedAt) < week.end.getTime(),
    ),
    namesShown: input.showNames,
  };
}

/** A few plain-English sentences, most urgent first. */
function headline(
  count: number,
  lastWeek: number,
  unreviewedBySeverity: Record<string, number>,
  repeated: number,
  backlog: { unreviewed: number; oldestAgeHours: number | null },
  silentDevices: number,
): string {
  const sentences: string[] = [];
  for (const severity of [5, 4]) {
    const n = unreviewedBySeverity[severity] ?? 0;
    if (n > 0)
      sentences.push(`${plural(n, `severity-${severity} capture`)} ${n === 1 ? 'is' : 'are'} still unreviewed.`);
  }
  const trend = count === lastWeek ? 'the same as' : count > lastWeek ? `up from ${lastWeek}` : `down from ${lastWeek}`;
  sentences.push(
    `${plural(count, 'capture')} this week, ${trend === 'the same as' ? `the same as last week` : `${trend} last week`}.`,
  );
  if (repeated > 0) sentences.push(`${plural(repeated, 'pupil')} had repeated or serious concerns.`);
  if (backlog.unreviewed > 0 && backlog.oldestAgeHours !== null && backlog.oldestAgeHours >= 72) {
    sentences.push(`The oldest unreviewed capture is ${Math.floor(backlog.oldestAgeHours / 24)} days old.`);
  }
  if (silentDevices > 0)
    sentences.push(`${plural(silentDevices, 'device')} ${silentDevices === 1 ? 'is' : 'are'} not reporting.`);
  if (sentences.length === 1 && count === 0) return 'Nothing needs attention: no captures this week.';
  return sentences.join(' ');
}
