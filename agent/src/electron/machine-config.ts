/**
 * The machine's configuration as the installers leave it, read by the engine process to enrol
 * this user's agent on first start:
 *   Windows  HKLM\SOFTWARE\Vigil\Agent  ConsoleUrl, EnrolmentToken  (MSI/EXE properties, or GPO)
 *   Linux    /etc/vigil/agent.json      { consoleUrl, enrolmentToken }  (.deb)
 *   macOS    /Library/Managed Preferences/uk.org.vigil.agent.plist  (MDM configuration profile)
 * Parsing is here; reading the registry or a file is the caller's (`readMachineConfig`).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { parseConsoleUrl } from '../platform/config';

export interface MachineConfig {
  consoleUrl: string;
  enrolmentToken: string | null;
}

export const WINDOWS_CONFIG_KEY = 'HKLM\\SOFTWARE\\Vigil\\Agent';
export const LINUX_CONFIG_FILE = '/etc/vigil/agent.json';
export const MACOS_MANAGED_PLIST = '/Library/Managed Preferences/uk.org.vigil.agent.plist';

/** The values of `reg query KEY` output (REG_SZ / REG_EXPAND_SZ), by name. */
export function parseRegQuery(output: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s{2,}(\S(?:.*?\S)?)\s{2,}(REG_SZ|REG_EXPAND_SZ)\s{2,}(.*?)\s*$/.exec(line);
    if (match?.[1] && match[3] !== undefined) values.set(match[1], match[3]);
  }
  return values;
}

/** Checks what an admin or installer wrote; null when there is no console configured. */
export function machineConfigFrom(values: { consoleUrl?: unknown; enrolmentToken?: unknown }): MachineConfig | null {
  if (typeof values.consoleUrl !== 'string' || values.consoleUrl.trim() === '') return null;
  const consoleUrl = parseConsoleUrl(values.consoleUrl.trim());
  const token = typeof values.enrolmentToken === 'string' ? values.enrolmentToken.trim() : '';
  return { consoleUrl, enrolmentToken: token.length >= 8 && token.length <= 200 ? token : null };
}

const run = promisify(execFile);

export async function readMachineConfig(platform: NodeJS.Platform = process.platform): Promise<MachineConfig | null> {
  if (platform === 'win32') {
    try {
      const { stdout } = await run('reg.exe', ['query', WINDOWS_CONFIG_KEY, '/reg:64'], { windowsHide: true });
      const values = parseRegQuery(stdout);
      return machineConfigFrom({ consoleUrl: values.get('ConsoleUrl'), enrolmentToken: values.get('EnrolmentToken') });
    } catch {
      return null; // the key does not exist: not configured
    }
  }
  const file = platform === 'darwin' ? MACOS_MANAGED_PLIST : LINUX_CONFIG_FILE;
  let parsed: unknown;
  try {
    parsed =
      platform === 'darwin'
        ? JSON.parse((await run('/usr/bin/plutil', ['-convert', 'json', '-o', '-', file])).stdout)
        : JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  return machineConfigFrom({
    consoleUrl: record.consoleUrl ?? record.ConsoleUrl,
    enrolmentToken: record.enrolmentToken ?? record.EnrolmentToken,
  });
}
