import { Type, type Static } from '@sinclair/typebox';

/**
 * The school's pupil directory: the OS login name the agent reports (`jsmith`, `SCHOOL\jsmith`,
 * `jsmith@oak.sch.uk`) to the pupil's name and year group, so summaries and alerts can say
 * "J.S., Year 9" instead of guessing initials from a login. Loaded by an admin as JSON or CSV
 * (a header row); a bad row refuses the whole upload, with its line number.
 */
export const MAX_PUPILS = 20_000;
const MAX_LOGIN = 128;
const MAX_NAME = 100;
const MAX_YEAR = 32;

export const PupilEntrySchema = Type.Object(
  {
    login: Type.String({
      minLength: 1,
      maxLength: MAX_LOGIN,
      description: 'the OS login name, as the agent reports it',
    }),
    name: Type.String({ minLength: 1, maxLength: MAX_NAME, description: 'the pupil’s name' }),
    yearGroup: Type.Union([Type.String({ maxLength: MAX_YEAR }), Type.Null()], {
      description: 'e.g. "Year 9" (a bare number becomes "Year N"); null when not known',
    }),
  },
  { additionalProperties: false },
);
export type PupilEntry = Static<typeof PupilEntrySchema>;

/** The JSON form of an upload: like an entry, with the year group optional. */
export const PupilUploadSchema = Type.Array(
  Type.Object(
    {
      login: Type.String({ maxLength: MAX_LOGIN }),
      name: Type.String({ maxLength: MAX_NAME }),
      yearGroup: Type.Optional(Type.Union([Type.String({ maxLength: MAX_YEAR }), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  { maxItems: MAX_PUPILS },
);
export type PupilUpload = Static<typeof PupilUploadSchema>;

export class PupilDirectoryError extends Error {
  constructor(
    message: string,
    /** The line of the CSV file (1 = the header), or the index + 1 of a JSON item. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * The key a login is matched by: case-insensitive, without a Windows domain (`SCHOOL\`) or an
 * email-like suffix (`@oak.sch.uk`), so the directory matches whichever form a laptop reports.
 */
export function loginKey(login: string): string {
  const withoutDomain = login.trim().split('\\').pop() ?? '';
  return (withoutDomain.split('@')[0] ?? '').trim().toLowerCase();
}

// Control characters have no place in a name and would only make trouble in an email or PDF.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function yearGroupOf(raw: string | null | undefined): string | null {
  const y = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (y === '') return null;
  // "9", "Y9", "yr 9", "year9" all mean Year 9; anything else ("Reception", "Sixth form") stays as written.
  const m = /^(?:y|yr|year)?\s*(\d{1,2})$/i.exec(y);
  return m ? `Year ${Number(m[1])}` : y;
}

/** Checks and tidies a directory; the first problem throws, naming its line. */
export function validatePupils(
  rows: readonly { line: number; login: string; name: string; yearGroup?: string | null }[],
): PupilEntry[] {
  if (rows.length > MAX_PUPILS) throw new PupilDirectoryError(`At most ${MAX_PUPILS} pupils in one directory`);
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const where = `line ${r.line}`;
    const login = r.login.trim();
    const name = r.name.trim().replace(/\s+/g, ' ');
    const yearGroup = yearGroupOf(r.yearGroup);
    if (login === '') throw new PupilDirectoryError(`${where}: the login is empty`, r.line);
    if (name === '') throw new PupilDirectoryError(`${where}: the name is empty`, r.line);
    if (login.length > MAX_LOGIN)
      throw new PupilDirectoryError(`${where}: the login is longer than ${MAX_LOGIN} characters`, r.line);
    if (name.length > MAX_NAME)
      throw new PupilDirectoryError(`${where}: the name is longer than ${MAX_NAME} characters`, r.line);
    if (yearGroup !== null && yearGroup.length > MAX_YEAR)
      throw new PupilDirectoryError(`${where}: the year group is longer than ${MAX_YEAR} characters`, r.line);
    if ([login, name, yearGroup ?? ''].some((v) => CONTROL.test(v)))
      throw new PupilDirectoryError(`${where}: control characters are not allowed`, r.line);
    const key = loginKey(login);
    if (key === '') throw new PupilDirectoryError(`${where}: the login "${login}" has no user name`, r.line);
    const first = seen.get(key);
    if (first !== undefined)
      throw new PupilDirectoryError(`${where}: the login "${login}" is already on line ${first}`, r.line);
    seen.set(key, r.line);
    return { login, name, yearGroup };
  });
}

/** A JSON upload: item N is reported as "item N". */
export function pupilsFromJson(items: PupilUpload): PupilEntry[] {
  try {
    return validatePupils(items.map((p, i) => ({ line: i + 1, ...p })));
  } catch (err) {
    if (err instanceof PupilDirectoryError && err.line !== undefined)
      throw new PupilDirectoryError(err.message.replace(/^line /, 'item '), err.line);
    throw err;
  }
}

const HEADERS: Record<string, 'login' | 'name' | 'yearGroup'> = {
  login: 'login',
  'login name': 'login',
  username: 'login',
  'user name': 'login',
  user: 'login',
  name: 'name',
  'display name': 'name',
  'pupil name': 'name',
  'full name': 'name',
  year: 'yearGroup',
  'year group': 'yearGroup',
  yeargroup: 'yearGroup',
};

/** RFC 4180 records with the line each starts on (quoted fields may hold commas, quotes and newlines). */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const src = text.replace(/^\uFEFF/, '');
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  /** Inside a quoted field; `closed`: after its closing quote (only spaces may follow before a comma). */
  let state: 'plain' | 'quoted' | 'closed' = 'plain';
  let quoteLine = 0;
  const endField = () => {
    fields.push(field);
    field = '';
    state = 'plain';
  };
  const endRecord = () => {
    endField();
    // Blank lines are skipped.
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
    fields = [];
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (state === 'quoted') {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') state = 'closed';
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (state === 'closed') {
      if (c.trim() !== '') throw new PupilDirectoryError(`line ${line}: text after a closing quote`, line);
    } else if (c === '"') {
      if (field.trim() !== '')
        throw new PupilDirectoryError(
          `line ${line}: a quote inside an unquoted field (quote the whole field and double the quotes in it)`,
          line,
        );
      field = '';
      state = 'quoted';
      quoteLine = line;
    } else field += c;
  }
  if (state === 'quoted') throw new PupilDirectoryError(`line ${quoteLine}: a quoted field is never closed`, quoteLine);
  if (field !== '' || fields.length > 0 || state === 'closed') endRecord();
  return records;
}

/** A CSV upload with a header row naming the columns: login, name and (optionally) year group. */
export function pupilsFromCsv(text: string): PupilEntry[] {
  // Bytes that were not UTF-8 were decoded as U+FFFD: names would come out garbled.
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new PupilDirectoryError(
      `line ${line}: the file is not UTF-8 text (in Excel, save it as "CSV UTF-8 (comma delimited)")`,
      line,
    );
  }
  const records = parseCsvRecords(text);
  const header = records[0];
  if (!header) throw new PupilDirectoryError('The file is empty: expected a header row (login,name,year group)');
  const columns = header.fields.map((h) => HEADERS[h.trim().toLowerCase().replace(/[_-]+/g, ' ')]);
  const index = (col: 'login' | 'name' | 'yearGroup') => columns.indexOf(col);
  for (const col of ['login', 'name'] as const) {
    if (index(col) < 0)
      throw new PupilDirectoryError(
        `line ${header.line}: the header row needs a "${col}" column (columns: login, name, year group)`,
        header.line,
      );
  }
  const dup = columns.find((c, i) => c !== undefined && columns.indexOf(c) !== i);
  if (dup) throw new PupilDirectoryError(`line ${header.line}: the header names the ${dup} column twice`, header.line);
  const rows = records.slice(1).map((r) => {
    if (r.fields.length !== header.fields.length)
      throw new PupilDirectoryError(
        `line ${r.line}: expected ${header.fields.length} fields, found ${r.fields.length}`,
        r.line,
      );
    const year = index('yearGroup');
    return {
      line: r.line,
      login: r.fields[index('login')]!,
      name: r.fields[index('name')]!,
      yearGroup: year < 0 ? null : r.fields[year]!,
    };
  });
  return validatePupils(rows);
}
