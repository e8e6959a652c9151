import type { EvidenceStamp } from './ports';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-25 20:41:07` in UTC. */
function utc(at: Date): string {
  return (
    `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`
  );
}

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** `Wed 25 Nov 2026 20:41:07 GMT` (or BST): the time as a school in England reads it. */
function london(at: Date): string {
  const parts = Object.fromEntries(LONDON.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/**
 * The line burned into every screenshot: the screen capture "detailing the time and date" that
 * school policies promise, in UK time and UTC, with the device and the user.
 */
export function formatEvidenceStamp(stamp: EvidenceStamp): string {
  const at = new Date(stamp.at);
  return `${london(at)} (UK) · ${utc(at)} UTC · device ${stamp.device} · user ${stamp.user || 'unknown'}`;
}
