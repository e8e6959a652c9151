import { initialsOf, initialsOfName, pupilLabel } from './pupil-label';

describe('pupils by initials', () => {
  it.each([
    ['jsmith', 'J.S.'],
    ['john.smith', 'J.S.'],
    ['John_Smith', 'J.S.'],
    ['mary-jane.watson', 'M.J.W.'],
    ['SCHOOL\\asingh', 'A.S.'],
    ['z.ali@oak.sch.uk', 'Z.A.'],
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
    expect(pupilLabel('john.smith', 'laptop-07', false)).toBe('J.S.');
  });

  it('uses the pupil directory: initials of the name and the year group, or the name when names are on', () => {
    const known = { login: 'jsmith', name: 'John Smith', yearGroup: 'Year 9' };
    expect(pupilLabel('jsmith', 'laptop-07', false, known)).toBe('J.S., Year 9');
    expect(pupilLabel('jsmith', 'laptop-07', true, known)).toBe('John Smith, Year 9');
    expect(pupilLabel('jsmith', 'laptop-07', false, { ...known, yearGroup: null })).toBe('J.S.');
  });

  it.each([
    ['John Smith', 'J.S.'],
    ["Mary-Jane O'Brien", 'M.J.O.'],
    ['Zoë  Ali', 'Z.A.'],
    ['  ', undefined],
  ])('name %s -> %s', (name, initials) => {
    expect(initialsOfName(name)).toBe(initials);
  });
});
