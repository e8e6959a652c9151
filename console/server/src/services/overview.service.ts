import type { CaptureMatch } from '@vigil/shared';
import type { FastifyInstance } from 'fastify';
import { londonFields, londonTime } from '../summary/week';
import { PeopleQueriesRepository } from '../repositories/people-queries.repository';
import type { Overview } from '../routes/dashboard/people.schema';

/** A pupil appears under "repeated concerns" with this many captures in the period, or any severity 5. */
export const REPEATED_CONCERN_MIN = 3;
const TOP_CATEGORIES = 10;
const MAX_REPEATED = 50;

const pad = (n: number): string => String(n).padStart(2, '0');

const CATEGORY_FIELD = /"category":"((?:[^"\\]|\\.)*)"/g;

/**
 * The distinct categories of a capture's matches. Read with a pattern over the stored JSON (which
 * the console itself wrote with JSON.stringify) rather than parsing every match: several times
 * faster on tens of thousands of captures. Falls back to parsing for anything unusual.
 */
function categoriesOf(matchesJson: string): Set<string> {
  const found = new Set<string>();
  for (const m of matchesJson.matchAll(CATEGORY_FIELD)) {
    if (m[1]!.includes('\\')) return new Set((JSON.parse(matchesJson) as CaptureMatch[]).map((x) => x.category));
    found.add(m[1]!);
  }
  return found;
}

/**
 * A school's last `days` days (Europe/London calendar days, today included): captures per day by
 * category, the severity split, the top categories, pupils with repeated concerns, the review
 * backlog and devices not reporting. Captures reviewed as false positives are left out of
 * everything but the backlog (which is all captures still `new`, however old). A capture with
 * matches in two categories counts once in each category (as the list's category filter finds it)
 * and once in `total`.
 */
export async function buildOverview(
  app: FastifyInstance,
  schoolId: string,
  days: number,
  now: Date,
): Promise<Overview> {
  const today = londonFields(now);
  const dates: string[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    dates.push(new Date(Date.UTC(today.year, today.month - 1, today.day - i)).toISOString().slice(0, 10));
  }
  const [fy, fm, fd] = dates[0]!.split('-').map(Number) as [number, number, number];
  const from = londonTime(fy, fm, fd).toISOString();
  const to = now.toISOString();

  const queries = new PeopleQueriesRepository(app.database.kysely);
  const byDate = new Map(dates.map((d) => [d, { date: d, byCategory: {} as Record<string, number>, total: 0 }]));
  const severity = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  const categories = new Map<string, number>();
  const pupils = new Map<string, { user: string; count: number; maxSeverity: number; lastAt: string }>();
  // London's offset changes only on the hour: one date lookup per UTC hour is enough.
  const dateOfHour = new Map<string, string>();

  for (const c of await queries.concernsBetween(schoolId, from, to)) {
    const hour = c.capturedAt.slice(0, 13);
    let date = dateOfHour.get(hour);
    if (date === undefined) {
      const f = londonFields(new Date(c.capturedAt));
      date = `${f.year}-${pad(f.month)}-${pad(f.day)}`;
      dateOfHour.set(hour, date);
    }
    const day = byDate.get(date);
    if (!day) continue;
    day.total += 1;
    const key = String(c.severity) as keyof typeof severity;
    if (key in severity) severity[key] += 1;
    const cats = categoriesOf(c.matchesJson);
    for (const cat of cats) {
      day.byCategory[cat] = (day.byCategory[cat] ?? 0) + 1;
      categories.set(cat, (categories.get(cat) ?? 0) + 1);
    }
    const p = pupils.get(c.user) ?? { user: c.user, count: 0, maxSeverity: 0, lastAt: c.capturedAt };
    p.count += 1;
    p.maxSeverity = Math.max(p.maxSeverity, c.severity);
    if (c.capturedAt > p.lastAt) p.lastAt = c.capturedAt;
    pupils.set(c.user, p);
  }

  const notReportingMs = app.config.notReportingMinutes * 60_000;
  const devicesNotReporting = (await app.repos.devices.listBySchool(schoolId))
    .filter((d) => d.revokedAt === null)
    .filter((d) => d.lastSeenAt === null || now.getTime() - Date.parse(d.lastSeenAt) >= notReportingMs)
    .sort((a, b) => (a.lastSeenAt ?? '').localeCompare(b.lastSeenAt ?? '') || a.hostname.localeCompare(b.hostname))
    .map((d) => ({ id: d.id, hostname: d.hostname, user: d.lastUser, lastSeenAt: d.lastSeenAt }));

  return {
    from,
    to,
    days: [...byDate.values()],
    severity,
    topCategories: [...categories]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
      .slice(0, TOP_CATEGORIES),
    repeatedConcerns: [...pupils.values()]
      .filter((p) => p.count >= REPEATED_CONCERN_MIN || p.maxSeverity >= 5)
      .sort(
        (a, b) =>
          b.maxSeverity - a.maxSeverity ||
          b.count - a.count ||
          b.lastAt.localeCompare(a.lastAt) ||
          a.user.localeCompare(b.user),
      )
      .slice(0, MAX_REPEATED),
    backlog: await queries.backlog(schoolId),
    devicesNotReporting,
  };
}
