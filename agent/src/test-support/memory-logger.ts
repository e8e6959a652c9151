import type { LogFields, Logger } from '../core/ports';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  event: string;
  fields: LogFields;
}

/** A logger that keeps its lines, so tests can check what is (and is not) logged. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug = (event: string, fields: LogFields = {}): void => void this.entries.push({ level: 'debug', event, fields });
  info = (event: string, fields: LogFields = {}): void => void this.entries.push({ level: 'info', event, fields });
  warn = (event: string, fields: LogFields = {}): void => void this.entries.push({ level: 'warn', event, fields });
  error = (event: string, fields: LogFields = {}): void => void this.entries.push({ level: 'error', event, fields });

  events(): string[] {
    return this.entries.map((e) => e.event);
  }

  /** Everything logged, as one string. */
  text(): string {
    return JSON.stringify(this.entries);
  }
}
