import { describe, expect, it } from 'vitest';
import { exactTime, highlightRuns, relativeTime } from './format';

describe('highlightRuns', () => {
  it('splits text into plain and matched runs, merging overlaps and clamping out-of-range ends', () => {
    expect(highlightRuns('i want to kill myself now', [{ start: 10, end: 21 }])).toEqual([
      { text: 'i want to ', hit: false },
      { text: 'kill myself', hit: true },
      { text: ' now', hit: false },
    ]);
    expect(
      highlightRuns('abcdef', [
        { start: 3, end: 5 },
        { start: 1, end: 4 },
        { start: 5, end: 99 },
      ]),
    ).toEqual([
      { text: 'a', hit: false },
      { text: 'bcdef', hit: true },
    ]);
    expect(highlightRuns('abc', [])).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('times', () => {
  const now = Date.parse('2026-07-01T12:00:00Z');
  it('says how long ago in words', () => {
    expect(relativeTime('2026-07-01T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-07-01T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime('2026-07-01T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-06-30T11:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-06-26T12:00:00Z', now)).toBe('5 days ago');
    expect(relativeTime('2026-05-01T12:00:00Z', now)).toBe('1 May 2026');
  });
  it('gives the exact time in UK time, BST in summer and GMT in winter', () => {
    expect(exactTime('2026-07-01T12:00:00Z')).toMatch(/1 Jul 2026.*13:00:00 BST/);
    expect(exactTime('2026-12-01T12:00:00Z')).toMatch(/1 Dec 2026.*12:00:00 GMT/);
  });
});
