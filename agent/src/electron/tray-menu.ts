/**
 * The tray icon's menu as data: what the pupil sees, built from the engine's snapshot. The
 * Electron adapter turns it into a native menu; tests read it as it is. There is no "Quit":
 * monitoring is not something the pupil turns off.
 */
import type { TraySnapshot } from './engine-port';

export type TrayAction = 'report' | 'privacy';

export type TrayMenuItem =
  | { kind: 'info'; id: string; label: string }
  | { kind: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { kind: 'separator'; id: string };

export interface TrayMenuModel {
  tooltip: string;
  items: TrayMenuItem[];
}

export const MONITORED_LABEL = 'This device is monitored for safeguarding by your school';

/** "just now", "5 minutes ago", "3 hours ago", else the day and time in the UK. */
export function formatWhen(iso: string, now: Date): string {
  const then = new Date(iso);
  const ms = now.getTime() - then.getTime();
  if (Number.isNaN(then.getTime())) return 'unknown';
  if (ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(then);
}

export function connectionLabel(snapshot: TraySnapshot): string {
  if (!snapshot.enrolled) return 'Not set up yet: ask your school’s IT team';
  switch (snapshot.connection) {
    case 'online':
      return 'Connected to your school';
    case 'offline':
      return 'Not connected: reports will be sent when it reconnects';
    default:
      return 'Connecting to your school…';
  }
}

export function buildTrayMenu(snapshot: TraySnapshot, now: Date, options: { reportOpen: boolean }): TrayMenuModel {
  const waiting =
    snapshot.queueDepth === 0
      ? 'Nothing waiting to be sent'
      : `${snapshot.queueDepth} item${snapshot.queueDepth === 1 ? '' : 's'} waiting to be sent`;
  const lastUpload = `Last sent: ${snapshot.lastUploadAt === null ? 'not yet' : formatWhen(snapshot.lastUploadAt, now)}`;
  const connection = connectionLabel(snapshot);
  return {
    tooltip: `Vigil. ${MONITORED_LABEL}. ${connection}.`,
    items: [
      { kind: 'info', id: 'monitored', label: MONITORED_LABEL },
      { kind: 'separator', id: 'sep-status' },
      { kind: 'info', id: 'connection', label: connection },
      { kind: 'info', id: 'last-upload', label: lastUpload },
      { kind: 'info', id: 'queue', label: waiting },
      { kind: 'separator', id: 'sep-actions' },
      { kind: 'action', id: 'report', label: 'Report a concern…', enabled: !options.reportOpen },
      { kind: 'action', id: 'privacy', label: 'Privacy notice', enabled: true },
    ],
  };
}
