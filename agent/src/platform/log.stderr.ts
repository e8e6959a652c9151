import type { LogFields, Logger } from '../core/ports';
import type { LogLevel } from './config';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * One JSON object per line on stderr: `{"time","level","event",...fields}`. Fields are ids,
 * counts and codes (the Logger port allows nothing else by convention and by type).
 */
export function createStderrLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => {
    process.stderr.write(line);
  },
  now: () => Date = () => new Date(),
): Logger {
  const emit =
    (at: Exclude<LogLevel, 'silent'>) =>
    (event: string, fields?: LogFields): void => {
      if (RANK[at] < RANK[level]) return;
      write(`${JSON.stringify({ time: now().toISOString(), level: at, event, ...fields })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
