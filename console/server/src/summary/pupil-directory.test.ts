import { PupilDirectoryError, loginKey, parseCsvRecords, pupilsFromCsv, pupilsFromJson } from './pupil-directory';

const errorOf = (fn: () => unknown): PupilDirectoryError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof PupilDirectoryError) return err;
    throw err;
  }
  throw new Error('expected a PupilDirectoryError');
};

describe('the pupil directory upload', () => {
  it('reads a CSV with a header row in any order, quoted fields, CRLF, a BOM and blank lines', () => {
    const csv =
      '\uFEFFYear Group,Name,Login\r\n9,John Smith,john.smith\r\n\r\n"Year 11","Khan, Aisha",OAK\\akhan\r\nReception,"Mary-Jane ""MJ"" O\'Brien",m.obrien\r\n';
    expect(pupilsFromCsv(csv)).toEqual([
      { login: 'john.smith', name: 'John Smith', yearGroup: 'Year 9' },
      { login: 'OAK\\akhan', name: 'Khan, Aisha', yearGroup: 'Year 11' },
      { login: 'm.obrien', name: 'Mary-Jane "MJ" O\'Brien', yearGroup: 'Reception' },
    ]);
  });

  it.each([
    ['9', 'Year 9'],
    ['Y10', 'Year 10'],
    ['yr 7', 'Year 7'],
    ['year13', 'Year 13'],
    ['Sixth form', 'Sixth form'],
    ['', null],
  ])('year group %j -> %j', (year, expected) => {
    expect(pupilsFromCsv(`login,name,year\njs,J S,${year}\n`)[0]!.yearGroup).toBe(expected);
  });

  it('takes a file without a year group column', () => {
    expect(pupilsFromCsv('username,display name\njs,Jo Smith')).toEqual([
      { login: 'js', name: 'Jo Smith', yearGroup: null },
    ]);
  });

  it.each([
    ['', 'The file is empty'],
    ['name,year\nJo,9\n', 'line 1: the header row needs a "login" column'],
    ['login,name\njs,Jo\nak\n', 'line 3: expected 2 fields, found 1'],
    ['login,name\njs,Jo\nak,\n', 'line 3: the name is empty'],
    ['login,name\njs,Jo\n,Ann\n', 'line 3: the login is empty'],
    ['login,name\njs,Jo\nak,Ann\nJS,Jon\n', 'line 4: the login "JS" is already on line 2'],
    ['login,name\njs,Jo\nOAK\\JS,Jon\n', 'line 3: the login "OAK\\JS" is already on line 2'],
    ['login,name\njs,"Jo\nak,Ann\n', 'line 2: a quoted field is never closed'],
    ['login,name\njs,Jo "JJ" Smith\n', 'line 2: a quote inside an unquoted field'],
    ['login,name\njs,"Jo" Smith\n', 'line 2: text after a closing quote'],
    ['login,name\njs,"Jo\nSmith"\nak,\n', 'line 4: the name is empty'],
    [`login,name\njs,${'x'.repeat(101)}\n`, 'line 2: the name is longer than 100 characters'],
  ])('refuses %j with its line: %s', (csv, message) => {
    expect(errorOf(() => pupilsFromCsv(csv)).message).toContain(message);
  });

  it('names the item of a bad JSON upload', () => {
    expect(
      errorOf(() =>
        pupilsFromJson([
          { login: 'js', name: 'Jo' },
          { login: 'ak', name: ' ' },
        ]),
      ).message,
    ).toBe('item 2: the name is empty');
  });

  it('keeps a quoted field across lines and counts lines from where each record starts', () => {
    expect(parseCsvRecords('a,b\n"x\ny",z\nc,d').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it.each([
    ['jsmith', 'jsmith'],
    ['OAK\\JSmith', 'jsmith'],
    ['JSmith@oak.sch.uk', 'jsmith'],
    ['  jsmith ', 'jsmith'],
  ])('matches login %j as %j', (login, key) => {
    expect(loginKey(login)).toBe(key);
  });
});
