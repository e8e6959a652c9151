/**
 * How a pupil appears in a summary or alert. A capture's `user` is the OS login name (`jsmith`,
 * `john.smith`, `SCHOOL\\pupil01`); the console does not know pupils' real names or year groups
 * yet (no MIS sync), so by default we show initials derived from the login name, and the device's
 * hostname when the login name says nothing about the person. Year group is not known: it is left
 * out until a roster import exists. A school that opts in (`showNames`) sees the login name itself.
 */
export function initialsOf(login: string): string | undefined {
  // Drop a Windows domain (`SCHOOL\\jsmith`) or an email-like suffix (`jsmith@school.org`).
  const name = (login.split('\\').pop() ?? login).split('@')[0]!.trim();
  const words = name
    .split(/[._\-\s]+/)
    .map((w) => w.replace(/[^\p{L}]/gu, ''))
    .filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  // Generic accounts say nothing about the person: pupil01, student, user, admin, guest.
  if (words.length === 1 && /^(pupil|student|user|guest|admin|administrator|staff|test|kiosk)$/i.test(words[0]!)) {
    return undefined;
  }
  // `john.smith`, `john_smith`: one letter per word. `jsmith`: a single word is an initial + surname.
  const letters = words.length >= 2 ? words.map((w) => w[0]!) : [words[0]![0]!, words[0]![1] ?? ''];
  return letters
    .filter((l) => l !== '')
    .slice(0, 3)
    .map((l) => l.toUpperCase())
    .join('.');
}

export function pupilLabel(login: string, hostname: string | undefined, showNames: boolean): string {
  if (showNames && login.trim() !== '') return login;
  const initials = initialsOf(login);
  if (initials) return initials;
  return hostname ? `pupil on ${hostname}` : 'unknown pupil';
}
