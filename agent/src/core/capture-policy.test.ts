import { CaptureThrottle, isMonitored, londonWeekTime } from './capture-policy';

const SCHOOL_DAY = [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:30' }];
const OVERNIGHT = [{ days: [5], start: '22:00', end: '06:00' }];

describe('monitored hours (school time, Europe/London)', () => {
  it.each([
    ['always when none are set', null, '2026-11-28T03:00:00Z', true],
    ['a Wednesday in the school day (GMT)', SCHOOL_DAY, '2026-11-25T10:00:00Z', true],
    ['a Wednesday before school', SCHOOL_DAY, '2026-11-25T07:59:00Z', false],
    ['at the end time, which is exclusive', SCHOOL_DAY, '2026-11-25T16:30:00Z', false],
    ['a Saturday', SCHOOL_DAY, '2026-11-28T10:00:00Z', false],
    ['07:30 UTC in summer is 08:30 BST: monitored', SCHOOL_DAY, '2026-07-01T07:30:00Z', true],
    ['16:00 UTC in summer is 17:00 BST: not monitored', SCHOOL_DAY, '2026-07-01T16:00:00Z', false],
    ['Friday night in an overnight window', OVERNIGHT, '2026-11-27T23:00:00Z', true],
    ['the early hours of Saturday in Friday’s overnight window', OVERNIGHT, '2026-11-28T05:00:00Z', true],
    ['Saturday night, not in the window', OVERNIGHT, '2026-11-28T23:00:00Z', false],
  ])('%s', (_label, windows, iso, expected) => {
    expect(isMonitored(windows, Date.parse(iso))).toBe(expected);
  });

  it('reads the weekday in London, not UTC', () => {
    // 23:30 UTC on Tuesday 30 June 2026 is 00:30 BST on Wednesday.
    expect(londonWeekTime(Date.parse('2026-06-30T23:30:00Z'))).toEqual({ day: 3, minutes: 30 });
  });
});

describe('CaptureThrottle', () => {
  const T0 = Date.parse('2026-11-25T10:00:00Z');

  it('a phrase repeated in the same window within 60 s adds to the first capture', () => {
    const t = new CaptureThrottle(60_000);
    expect(t.decide(['kill-myself'], 'Notes|Diary', T0)).toEqual({ repeats: [], fresh: ['kill-myself'] });
    t.remember(['kill-myself'], 'Notes|Diary', 'cap-1', T0);
    expect(t.decide(['kill-myself'], 'Notes|Diary', T0 + 10_000)).toEqual({
      repeats: [{ captureId: 'cap-1', count: 2 }],
      fresh: [],
    });
    expect(t.decide(['kill-myself'], 'Notes|Diary', T0 + 20_000).repeats).toEqual([{ captureId: 'cap-1', count: 3 }]);
  });

  it('the same phrase in another window is a new capture', () => {
    const t = new CaptureThrottle(60_000);
    t.remember(['kill-myself'], 'Notes|Diary', 'cap-1', T0);
    expect(t.decide(['kill-myself'], 'Chrome|Search', T0 + 1000).fresh).toEqual(['kill-myself']);
  });

  it('after the throttle window the phrase is a new capture again', () => {
    const t = new CaptureThrottle(60_000);
    t.remember(['kill-myself'], 'w', 'cap-1', T0);
    expect(t.decide(['kill-myself'], 'w', T0 + 60_000).fresh).toEqual(['kill-myself']);
  });

  it('a new phrase beside a repeated one still needs a capture', () => {
    const t = new CaptureThrottle(60_000);
    t.remember(['a'], 'w', 'cap-1', T0);
    expect(t.decide(['a', 'b'], 'w', T0 + 1)).toEqual({ repeats: [{ captureId: 'cap-1', count: 2 }], fresh: ['b'] });
  });

  it('a throttle of 0 s captures every time', () => {
    const t = new CaptureThrottle(0);
    t.remember(['a'], 'w', 'cap-1', T0);
    expect(t.decide(['a'], 'w', T0).fresh).toEqual(['a']);
  });

  it('says whether phrases were captured recently in any window', () => {
    const t = new CaptureThrottle(60_000);
    t.remember(['a'], 'w1', 'cap-1', T0);
    expect(t.seenRecently(['a'], T0 + 1_000)).toBe(true);
    expect(t.seenRecently(['b'], T0 + 1_000)).toBe(false);
    expect(t.seenRecently(['a'], T0 + 60_000)).toBe(false);
  });
});
