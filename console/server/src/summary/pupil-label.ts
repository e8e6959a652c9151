import { loginKey, type PupilEntry } from './pupil-directory';

/**
 * How a pupil appears in a summary or alert. A capture's `user` is the OS login name (`jsmith`,
 * `john.smith`, `SCHOOL\\pupil01`). When the school's pupil directory knows the login, the pupil
 * is shown by the initials of their name and their year group ("J.S., Year 9"), or by name and
 * year group when the school opts in to names (`showNames`). A login the directory does not know
 * is shown by initials guessed from the login, or by device ("pupil on laptop-07") when the login
 * says nothing about the person; with names on, by the login itself.
 */
const initials = (words: readonly string[]): string | undefined => {
  const letters = words
    .map((w) => w[0] ?? '')
    .filter((l) => l !== '')
    .slice(0, 3);
  return letters.length === 0 ? undefined : `${letters.map((l) => l.toUpperCase()).join('.')}.`;
};

const lettersOnly = (w: string): string => w.replace(/[^\p{L}]/gu, '');

export function initialsOf(login: string): string | undefined {
  // Drop a Windows domain (`SCHOOL\\jsmith`) or an email-like suffix (`jsmith@school.org`).
  const name = (login.split('\\').pop() ?? login).split('@')[0]!.trim();
  const words = name
    .split(/[._\-\s]+/)
    .map(lettersOnly)
    .filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  // Generic accounts say nothing about the person: pupil01, student, user, admin, guest.
  if (words.length === 1 && /^(pupil|student|user|guest|admin|administrator|staff|test|kiosk)$/i.test(words[0]!)) {
    return undefined;
  }
  // `john.smith`, `john_smith`: one letter per word. `jsmith`: a single word is an initial + surname.
  return initials(words.length >= 2 ? words : [words[0]![0]!, words[0]!.slice(1)]);
}

/** Initials of a person's name: "John Smith" → "J.S.", "Mary-Jane O'Neil" → "M.J.O.". */
export function initialsOfName(name: string): string | undefined {
  return initials(
    name
      .split(/[\s-]+/)
      .map(lettersOnly)
      .filter((w) => w.length > 0),
  );
}

/** Looks a login up in a directory keyed by `loginKey`. */
export type PupilLookup = (login: string) => PupilEntry | undefined;

export const directoryLookup =
  (directory: ReadonlyMap<string, PupilEntry>): PupilLookup =>
  (login) =>
    directory.get(loginKey(login));

export function pupilLabel(
  login: string,
  hostname: string | undefined,
  showNames: boolean,
  known?: PupilEntry,
): string {
  if (known) {
    const who = showNames ? known.name : (initialsOfName(known.name) ?? 'pupil');
    return known.yearGroup ? `${who}, ${known.yearGroup}` : who;
  }
  if (showNames && login.trim() !== '') return login;
  const guessed = initialsOf(login);
  if (guessed) return guessed;
  return hostname ? `pupil on ${hostname}` : 'unknown pupil';
}
