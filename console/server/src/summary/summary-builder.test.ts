import { buildSummary, type CaptureFacts, type SummaryInput } from './summary-builder';
import { parseIsoWeek } from './week';

let n = 0;
const capture = (capturedAt: string, over: Partial<CaptureFacts> = {}): CaptureFacts => ({
  id: `c${String(++n).padStart(3, '0')}`,
  capturedAt,
  user: 'john.smith',
  deviceId: 'd1',
  severity: 3,
  status: 'new',
  categories: ['bullying'],
  phrases: ['nobody likes you'],
  ...over,
});

// The week with the end of BST: Monday 19 October 00:00 BST to Monday 26 October 00:00 GMT.
const week = parseIsoWeek('2026-W43')!;
const now = new Date('2026-10-26T07:00:00Z');

const input = (captures: CaptureFacts[], over: Partial<SummaryInput> = {}): SummaryInput => ({
  school: { id: 's1', name: 'Oak Academy' },
  week,
  now,
  publicUrl: 'https://vigil.oak.sch.uk',
  showNames: false,
  captures,
  unreviewed: captures.filter((c) => c.status === 'new'),
  devices: [
    { id: 'd1', hostname: 'laptop-07', lastSeenAt: '2026-10-26T06:55:00Z', revokedAt: null },
    { id: 'd2', hostname: 'laptop-12', lastSeenAt: '2026-10-23T07:00:00Z', revokedAt: null },
    { id: 'd3', hostname: 'old-pc', lastSeenAt: '2026-01-01T00:00:00Z', revokedAt: '2026-02-01T00:00:00Z' },
  ],
  notReportingMinutes: 60,
  keywordListChanges: [],
  ...over,
});

describe('the weekly summary builder', () => {
  it('counts a capture at 00:30 BST on Monday in this week and one at 23:30 BST on Sunday before in the last', () => {
    const s = buildSummary(
      input([capture('2026-10-18T23:30:00Z', { user: 'a.b' }), capture('2026-10-18T22:30:00Z', { user: 'c.d' })]),
    );
    expect(s.week).toBe('2026-W43');
    expect(s.total).toMatchObject({ count: 1, lastWeek: 1 });
  });

  it('counts the extra hour of the clock change (Sunday 23:30 GMT) in this week, not the next', () => {
    const s = buildSummary(input([capture('2026-10-25T23:30:00Z'), capture('2026-10-26T00:00:00Z')]));
    expect(s.total.count).toBe(1);
  });

  it('gives the change from last week and from the 4-week average, by severity and by category', () => {
    const captures = [
      // this week: three severity-4 grooming
      ...[1, 2, 3].map((d) =>
        capture(`2026-10-2${d}T10:00:00Z`, { severity: 4, categories: ['grooming'], user: `p${d}.x` }),
      ),
      // last week (W42): one severity-4 grooming
      capture('2026-10-14T10:00:00Z', { severity: 4, categories: ['grooming'], user: 'q.x' }),
      // W41, W40, W39: one each
      capture('2026-10-07T10:00:00Z', { severity: 4, categories: ['grooming'], user: 'r.x' }),
      capture('2026-09-30T10:00:00Z', { severity: 4, categories: ['grooming'], user: 's.x' }),
      capture('2026-09-23T10:00:00Z', { severity: 2, categories: ['gambling'], user: 't.x' }),
    ];
    const s = buildSummary(input(captures));
    const sev4 = s.bySeverity.find((l) => l.severity === 4)!;
    expect(sev4).toEqual({
      severity: 4,
      count: 3,
      lastWeek: 1,
      fourWeekAverage: 0.8,
      changeFromLastWeek: 2,
      changeFromAverage: 2.2,
    });
    expect(s.byCategory.map((l) => l.category)).toEqual(['grooming']);
    expect(s.byCategory[0]).toMatchObject({ count: 3, lastWeek: 1, fourWeekAverage: 0.8 });
    expect(s.total).toMatchObject({ count: 3, lastWeek: 1, fourWeekAverage: 1 });
  });

  it('lists captures of particular interest: highest severity first, unreviewed first, at most 10, with links', () => {
    const captures = [
      capture('2026-10-20T10:00:00Z', { severity: 5, status: 'reviewed' }),
      capture('2026-10-20T11:00:00Z', { severity: 5, status: 'new' }),
      capture('2026-10-20T12:00:00Z', { severity: 2 }),
      ...Array.from({ length: 12 }, (_, i) => capture(`2026-10-21T${String(i + 8).padStart(2, '0')}:00:00Z`)),
    ];
    const s = buildSummary(input(captures));
    expect(s.ofInterest).toHaveLength(10);
    expect(s.ofInterest[0]).toMatchObject({ id: captures[1]!.id, severity: 5, status: 'new', pupil: 'J.S.' });
    expect(s.ofInterest[1]).toMatchObject({ id: captures[0]!.id, status: 'reviewed' });
    expect(s.ofInterest.every((c) => c.severity >= 3)).toBe(true);
    expect(s.ofInterest[0]!.link).toBe(`https://vigil.oak.sch.uk/captures/${captures[1]!.id}`);
  });

  it('finds pupils with 3 or more captures, or any at severity 5, by initials or device', () => {
    const s = buildSummary(
      input([
        ...[1, 2, 3].map((d) => capture(`2026-10-2${d}T09:00:00Z`, { user: 'jsmith' })),
        capture('2026-10-22T09:00:00Z', { user: 'pupil01', severity: 5, deviceId: 'd2' }),
        capture('2026-10-22T09:00:00Z', { user: 'a.jones' }),
        capture('2026-10-23T09:00:00Z', { user: 'a.jones' }),
      ]),
    );
    expect(s.repeatedConcerns).toEqual([
      { pupil: 'pupil on laptop-12', captures: 1, highestSeverity: 5, categories: ['bullying'] },
      { pupil: 'J.S.', captures: 3, highestSeverity: 3, categories: ['bullying'] },
    ]);
  });

  it('labels pupils from the directory: initials and year group, names when the school opts in, device when unknown', () => {
    const pupils = new Map([
      ['jsmith', { login: 'OAK\\jsmith', name: 'John Smith', yearGroup: 'Year 9' }],
      ['jsharma', { login: 'jsharma', name: 'Jaya Sharma', yearGroup: 'Year 11' }],
    ]);
    const captures = [
      // The same pupil whichever form of the login the laptop reports.
      capture('2026-10-20T09:00:00Z', { user: 'jsmith', severity: 5 }),
      capture('2026-10-21T09:00:00Z', { user: 'OAK\\JSmith' }),
      capture('2026-10-22T09:00:00Z', { user: 'jsmith@oak.sch.uk' }),
      // Same initials, another pupil: kept apart.
      capture('2026-10-22T10:00:00Z', { user: 'jsharma', severity: 5 }),
      capture('2026-10-22T11:00:00Z', { user: 'pupil01', severity: 5, deviceId: 'd2' }),
    ];
    const s = buildSummary(input(captures, { pupils }));
    expect(s.ofInterest.map((c) => c.pupil)).toEqual([
      'pupil on laptop-12',
      'J.S., Year 11',
      'J.S., Year 9',
      'J.S., Year 9',
      'J.S., Year 9',
    ]);
    expect(s.repeatedConcerns.map((r) => [r.pupil, r.captures])).toEqual(
      expect.arrayContaining([
        ['J.S., Year 9', 3],
        ['J.S., Year 11', 1],
        ['pupil on laptop-12', 1],
      ]),
    );
    const named = buildSummary(input(captures, { pupils, showNames: true }));
    expect(named.ofInterest.map((c) => c.pupil)).toContain('John Smith, Year 9');
    expect(named.ofInterest.map((c) => c.pupil)).toContain('Jaya Sharma, Year 11');
    expect(JSON.stringify(s)).not.toContain('John Smith');
  });

  it('reports the backlog with the age of the oldest unreviewed capture, and silent devices', () => {
    const old = capture('2026-10-01T07:00:00Z', { severity: 5 });
    const s = buildSummary(input([capture('2026-10-20T10:00:00Z', { status: 'reviewed' })], { unreviewed: [old] }));
    expect(s.backlog).toEqual({
      unreviewed: 1,
      unreviewedBySeverity: { 5: 1 },
      oldestUnreviewedAt: old.capturedAt,
      oldestAgeHours: 25 * 24,
    });
    expect(s.devicesNotReporting).toEqual([
      { hostname: 'laptop-12', lastSeenAt: '2026-10-23T07:00:00Z', silentHours: 72 },
    ]);
    expect(s.headline).toMatch(/^1 severity-5 capture is still unreviewed\./);
    expect(s.headline).toContain('The oldest unreviewed capture is 25 days old.');
  });

  it('says what matters most first: unreviewed severity-5 captures', () => {
    const s = buildSummary(
      input([capture('2026-10-20T10:00:00Z', { severity: 5 }), capture('2026-10-21T10:00:00Z', { severity: 5 })]),
    );
    expect(s.headline.startsWith('2 severity-5 captures are still unreviewed.')).toBe(true);
  });

  it('keeps only keyword-list changes published that week', () => {
    const s = buildSummary(
      input([], {
        keywordListChanges: [
          { version: 'v2', publishedAt: '2026-10-20T12:00:00Z' },
          { version: 'v1', publishedAt: '2026-10-01T12:00:00Z' },
        ],
      }),
    );
    expect(s.keywordListChanges).toEqual([{ version: 'v2', publishedAt: '2026-10-20T12:00:00Z' }]);
  });
});
