/**
 * ISO weeks in Europe/London time. A school's week runs from Monday 00:00 to the next Monday 00:00
 * London time, so a week that contains the end of British Summer Time is 169 hours long.
 */
export const SCHOOL_TIME_ZONE = 'Europe/London';

export interface IsoWeek {
  /** `YYYY-Www`, e.g. `2026-W44`. */
  key: string;
  year: number;
  week: number;
  /** Monday 00:00 London time, as a UTC instant. */
  start: Date;
  /** The next Monday 00:00 London time (exclusive). */
  end: Date;
}

const DAY_MS = 86_400_000;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: SCHOOL_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** London wall-clock fields of an instant. */
export function londonFields(at: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(londonParts.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** London's offset from UTC at an instant, in milliseconds (0 in winter, 3 600 000 in summer). */
function londonOffsetMs(at: Date): number {
  const f = londonFields(at);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute);
  return asUtc - Math.floor(at.getTime() / 60_000) * 60_000;
}

/** The UTC instant of a London wall-clock time (the earlier one when the clocks go back). */
export function londonTime(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - londonOffsetMs(new Date(wall));
  const second = wall - londonOffsetMs(new Date(first));
  return new Date(Math.min(first, second));
}

/** ISO 8601 week-numbering year and week of a calendar date. */
export function isoWeekOfDate(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const dow = date.getUTCDay() || 7;
  // The Thursday of this week decides the year.
  date.setUTCDate(date.getUTCDate() + 4 - dow);
  const isoYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(isoYear, 0, 1)) / DAY_MS + 1) / 7);
  return { year: isoYear, week };
}

const keyOf = (year: number, week: number): string => `${year}-W${String(week).padStart(2, '0')}`;

/** The ISO week `YYYY-Www`, with its London-time boundaries; undefined if the key is not a real week. */
export function parseIsoWeek(key: string): IsoWeek | undefined {
  const m = WEEK_RE.exec(key);
  if (!m) return undefined;
  const year = Number(m[1]);
  const week = Number(m[2]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS + (week - 1) * 7 * DAY_MS);
  const check = isoWeekOfDate(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
  if (week < 1 || check.year !== year || check.week !== week) return undefined;
  const next = new Date(monday.getTime() + 7 * DAY_MS);
  return {
    key: keyOf(year, week),
    year,
    week,
    start: londonTime(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()),
    end: londonTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
  };
}

/** The ISO week (London time) that contains an instant. */
export function isoWeekOf(at: Date): IsoWeek {
  const f = londonFields(at);
  const w = isoWeekOfDate(f.year, f.month, f.day);
  return parseIsoWeek(keyOf(w.year, w.week))!;
}

/** The week `n` weeks before (negative: after) `week`. */
export function weekBefore(week: IsoWeek, n = 1): IsoWeek {
  // Noon on the Thursday of the week, moved by whole weeks, stays clear of any clock change.
  const thursdayNoon = new Date(week.start.getTime() + 3.5 * DAY_MS);
  return isoWeekOf(new Date(thursdayNoon.getTime() - n * 7 * DAY_MS));
}
