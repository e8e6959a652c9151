/**
 * Starting at login for every user, per OS. The installers register it machine-wide (MSI/EXE:
 * HKLM Run; .deb: /etc/xdg/autostart; macOS pkg: a LaunchAgent in /Library/LaunchAgents); an app
 * run without an installer registers itself for the current user. This module says what the
 * registration is; the Electron adapter only applies it.
 */
import path from 'node:path';

export const APP_ID = 'uk.org.vigil.agent';
export const AUTOSTART_ARG = '--autostart';

export type AutostartRegistration =
  | { kind: 'registry-run'; hive: 'HKLM' | 'HKCU'; key: string; name: string; value: string }
  | { kind: 'launch-agent'; file: string; plist: string }
  | { kind: 'xdg-autostart'; file: string; desktopEntry: string };

export interface AutostartTarget {
  platform: NodeJS.Platform;
  /** The app's executable (process.execPath in the packaged app). */
  executable: string;
  /** Registered machine-wide (installer) or for this user only (self-registration). */
  scope: 'machine' | 'user';
  /** The user's home (for the user scope). */
  home: string;
}

export const WINDOWS_RUN_KEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run';
export const WINDOWS_RUN_NAME = 'Vigil Agent';

export function autostartRegistration(target: AutostartTarget): AutostartRegistration {
  const { platform, executable, scope, home } = target;
  if (platform === 'win32') {
    return {
      kind: 'registry-run',
      hive: scope === 'machine' ? 'HKLM' : 'HKCU',
      key: WINDOWS_RUN_KEY,
      name: WINDOWS_RUN_NAME,
      value: `"${executable}" ${AUTOSTART_ARG}`,
    };
  }
  if (platform === 'darwin') {
    const dir = scope === 'machine' ? '/Library/LaunchAgents' : path.posix.join(home, 'Library', 'LaunchAgents');
    return { kind: 'launch-agent', file: path.posix.join(dir, `${APP_ID}.plist`), plist: launchAgentPlist(executable) };
  }
  const dir = scope === 'machine' ? '/etc/xdg/autostart' : path.posix.join(home, '.config', 'autostart');
  return {
    kind: 'xdg-autostart',
    file: path.posix.join(dir, 'vigil-agent.desktop'),
    desktopEntry: desktopEntry(executable),
  };
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A LaunchAgent: runs in every user's GUI session (Aqua), started again if it stops. */
export function launchAgentPlist(executable: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${APP_ID}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    `    <string>${xmlEscape(executable)}</string>`,
    `    <string>${AUTOSTART_ARG}</string>`,
    '  </array>',
    '  <key>LimitLoadToSessionType</key>',
    '  <string>Aqua</string>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <true/>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** An XDG autostart entry; Exec quoting per the Desktop Entry specification. */
export function desktopEntry(executable: string): string {
  const quoted = /[\s"'\\$`]/.test(executable) ? `"${executable.replace(/(["`$\\])/g, '\\$1')}"` : executable;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Vigil Agent',
    'Comment=Safeguarding monitoring for your school',
    `Exec=${quoted} ${AUTOSTART_ARG}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
