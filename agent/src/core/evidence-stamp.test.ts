import { formatEvidenceStamp } from './evidence-stamp';

describe('formatEvidenceStamp', () => {
  it.each([
    ['winter (GMT)', '2026-11-25T20:41:07.123Z', 'Wed 25 Nov 2026 20:41:07 GMT (UK) · 2026-11-25 20:41:07 UTC'],
    [
      'summer (BST, an hour ahead)',
      '2026-07-01T12:00:05Z',
      'Wed 1 Jul 2026 13:00:05 BST (UK) · 2026-07-01 12:00:05 UTC',
    ],
    [
      'the BST night the date differs',
      '2026-06-30T23:30:00Z',
      'Wed 1 Jul 2026 00:30:00 BST (UK) · 2026-06-30 23:30:00 UTC',
    ],
  ])('gives UK time and UTC in %s', (_label, iso, expected) => {
    expect(formatEvidenceStamp({ at: Date.parse(iso), device: 'LAPTOP-07', user: 'pupil01' })).toBe(
      `${expected} · device LAPTOP-07 · user pupil01`,
    );
  });

  it('says when the user is unknown', () => {
    expect(formatEvidenceStamp({ at: 0, device: 'd', user: '' })).toMatch(/user unknown$/);
  });
});
