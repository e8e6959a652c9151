import { initialsOf, pupilLabel } from './pupil-label';

describe('pupils by initials', () => {
  it.each([
    ['jsmith', 'J.S'],
    ['john.smith', 'J.S'],
    ['John_Smith', 'J.S'],
    ['mary-jane.watson', 'M.J.W'],
    ['SCHOOL\\asingh', 'A.S'],
    ['z.ali@oak.sch.uk', 'Z.A'],
    ['pupil01', undefined],
    ['student', undefined],
    ['12345', undefined],
  ])('%s -> %s', (login, initials) => {
    expect(initialsOf(login)).toBe(initials);
  });

  it('falls back to the device when the login says nothing about the person', () => {
    expect(pupilLabel('pupil01', 'laptop-07', false)).toBe('pupil on laptop-07');
  });

  it('shows the login name only when the school opts in to names', () => {
    expect(pupilLabel('john.smith', 'laptop-07', true)).toBe('john.smith');
    expect(pupilLabel('john.smith', 'laptop-07', false)).toBe('J.S');
  });
});
