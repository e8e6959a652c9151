import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config';

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** Sends one message; throws on failure (with `responseCode` for SMTP replies). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** A real SMTP conversation through nodemailer. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(private readonly smtp: SmtpConfig) {
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
      // Never log envelopes or bodies: nodemailer's own logger stays off.
      logger: false,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.smtp.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      attachments: message.attachments,
    });
  }

  close(): void {
    this.transport.close();
  }
}

export type SendOutcome =
  { outcome: 'sent'; attempts: number; error: null } | { outcome: 'failed'; attempts: number; error: string };

export interface RetryOptions {
  attempts?: number;
  /** Injected so tests do not wait; the real one uses timers. */
  sleep?: (ms: number) => Promise<void>;
  baseDelayMs?: number;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

const TEMPORARY_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED']);

/** A 4xx SMTP reply or a network failure can succeed later; a 5xx reply never will. */
export function isTemporary(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  return e.code !== undefined && TEMPORARY_CODES.has(e.code);
}

/** What may be recorded of a failure: the SMTP code or error code, never the message body. */
function describe(err: unknown): string {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return `SMTP ${e.responseCode}`;
  return e.code ?? 'error';
}

/** Sends, retrying temporary failures with exponential backoff. */
export async function sendWithRetry(
  mailer: Mailer,
  message: MailMessage,
  opts: RetryOptions = {},
): Promise<SendOutcome> {
  const attempts = opts.attempts ?? 4;
  const sleep = opts.sleep ?? realSleep;
  const base = opts.baseDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await mailer.send(message);
      return { outcome: 'sent', attempts: attempt, error: null };
    } catch (err) {
      if (!isTemporary(err) || attempt >= attempts)
        return { outcome: 'failed', attempts: attempt, error: describe(err) };
      await sleep(base * 2 ** (attempt - 1));
    }
  }
}
