import { isoWeekOf, londonTime, parseIsoWeek, weekBefore } from './week';

const HOUR = 3_600_000;

describe('ISO weeks in Europe/London', () => {
  it('runs the week with the end of BST from Monday 00:00 BST to Monday 00:00 GMT (169 hours)', () => {
    const w = parseIsoWeek('2026-W43')!;
    expect(w.start.toISOString()).toBe('2026-10-18T23:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect((w.end.getTime() - w.start.getTime()) / HOUR).toBe(169);
  });

  it('runs the week with the start of BST for 167 hours', () => {
    const w = parseIsoWeek('2026-W13')!;
    expect(w.start.toISOString()).toBe('2026-03-23T00:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-03-29T23:00:00.000Z');
  });

  it.each([
    ['2026-10-18T23:30:00Z', '2026-W43'], // 00:30 BST on Monday 19 October
    ['2026-10-18T22:30:00Z', '2026-W42'], // 23:30 BST on Sunday 18 October
    ['2026-10-25T23:30:00Z', '2026-W43'], // 23:30 GMT on Sunday 25 October
    ['2026-10-26T00:00:00Z', '2026-W44'],
    ['2026-01-01T12:00:00Z', '2026-W01'],
    ['2025-12-29T00:00:00Z', '2026-W01'],
    ['2026-12-31T12:00:00Z', '2026-W53'],
    ['2027-01-03T12:00:00Z', '2026-W53'],
    ['2027-01-04T00:00:00Z', '2027-W01'],
  ])('puts %s in %s', (at, key) => {
    expect(isoWeekOf(new Date(at)).key).toBe(key);
  });

  it('refuses weeks that do not exist', () => {
    expect(parseIsoWeek('2025-W53')).toBeUndefined();
    expect(parseIsoWeek('2026-W00')).toBeUndefined();
    expect(parseIsoWeek('2026-43')).toBeUndefined();
    expect(parseIsoWeek('2026-W53')?.key).toBe('2026-W53');
  });

  it('steps back whole weeks across the clock change and the new year', () => {
    expect(weekBefore(parseIsoWeek('2026-W44')!).key).toBe('2026-W43');
    expect(weekBefore(parseIsoWeek('2027-W01')!, 2).key).toBe('2026-W52');
  });

  it('turns London wall-clock times into instants in both seasons', () => {
    expect(londonTime(2026, 7, 6, 7, 0).toISOString()).toBe('2026-07-06T06:00:00.000Z');
    expect(londonTime(2026, 11, 2, 7, 0).toISOString()).toBe('2026-11-02T07:00:00.000Z');
  });
});
