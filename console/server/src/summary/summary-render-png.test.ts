import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { CaptureMetadata, EnrolResponse } from '@vigil/shared';
import { AGENT_API } from '@vigil/shared';
import { createUser, signIn, startHarness, uploadCapture, type Harness } from '../test-support/harness';
import { startTestSmtp, type TestSmtp } from '../test-support/smtp-test-server';
import type { Timers } from './alerts.service';
import type { CronScheduler } from './summary-scheduler';
import { parseIsoWeek } from './week';

/**
 * The summary email, the alert email and the PDF as a person sees them: the HTML rendered by
 * headless Chromium at a desktop and a phone width, the PDF by pdftoppm, all written to
 * console/server/test-output/ (git-ignored) to be looked at. The checks are what a reader would
 * notice: an image with something on it, the right size, the headline and the pupil labels.
 */
const run = promisify(execFile);
const OUT = path.resolve(__dirname, '../../test-output');
const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const CONTEXT = 'i want kill myself now';

const manualTimers: Timers & { fire(): void } = {
  fns: [] as (() => void)[],
  set(fn: () => void) {
    this.fns.push(fn);
    return fn;
  },
  clear() {},
  fire() {
    for (const fn of this.fns.splice(0)) fn();
  },
} as Timers & { fire(): void; fns: (() => void)[] };
const noCron: CronScheduler = { schedule: () => ({ stop() {} }) };

async function screenshot(htmlFile: string, png: string, width: number, height: number): Promise<void> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-chromium-'));
  try {
    await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--window-size=${width},${height}`,
        `--screenshot=${png}`,
        `file://${htmlFile}`,
      ],
      { timeout: 60_000 },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Width, height and the share of pixels that are not (near) the page's background. */
async function inkOf(png: string): Promise<{ width: number; height: number; ink: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [data[0]!, data[1]!, data[2]!];
  let ink = 0;
  for (let i = 0; i < data.length; i += 3) {
    if (Math.abs(data[i]! - bg[0]!) + Math.abs(data[i + 1]! - bg[1]!) + Math.abs(data[i + 2]! - bg[2]!) > 60) ink++;
  }
  return { width: info.width, height: info.height, ink: ink / (info.width * info.height) };
}

/** The lowest row with anything but the background on it, as a share of the height. */
async function contentBottom(png: string): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [data[0]!, data[1]!, data[2]!];
  for (let y = info.height - 1; y >= 0; y--) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * 3;
      if (Math.abs(data[i]! - bg[0]!) + Math.abs(data[i + 1]! - bg[1]!) + Math.abs(data[i + 2]! - bg[2]!) > 60) {
        return (y + 1) / info.height;
      }
    }
  }
  return 0;
}

/** The rightmost column with anything but the background on it, in pixels. */
async function contentRight(png: string): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [data[0]!, data[1]!, data[2]!];
  for (let x = info.width - 1; x >= 0; x--) {
    for (let y = 0; y < info.height; y++) {
      const i = (y * info.width + x) * 3;
      if (Math.abs(data[i]! - bg[0]!) + Math.abs(data[i + 1]! - bg[1]!) + Math.abs(data[i + 2]! - bg[2]!) > 60) {
        return x + 1;
      }
    }
  }
  return 0;
}

describe('the summary and alert emails and the PDF, rendered to PNG for a person to look at', () => {
  let smtp: TestSmtp;
  let h: Harness;
  // Monday 23 November 2026, 08:00 London: the summary of 2026-W47 (16–22 November) is due.
  let now = new Date('2026-11-18T09:00:00Z');
  let schoolId: string;

  const enrol = async (token: string, hostname: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: AGENT_API.enrol,
      payload: { token, hostname, os: 'windows', agentVersion: '0.1.0' },
    });
    const body = res.json<EnrolResponse>();
    return { ...body, auth: `Device ${body.deviceId}:${body.deviceSecret}` };
  };
  const match = (phrase: string, category: string, severity: number): Partial<CaptureMetadata> => ({
    severity,
    matches: [
      {
        entryId: `${category}.${phrase.replace(/\s+/g, '-')}`,
        phrase,
        category,
        severity,
        start: 0,
        end: phrase.length,
      },
    ],
    context: CONTEXT,
  });

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    smtp = await startTestSmtp();
    h = await startHarness(
      {
        VIGIL_SMTP_URL: smtp.url,
        VIGIL_SMTP_FROM: 'Vigil <vigil@oak.sch.uk>',
        VIGIL_PUBLIC_URL: 'https://vigil.oak.sch.uk',
        VIGIL_LOGIN_RATE_PER_MINUTE: '1000',
      },
      { clock: { now: () => now }, summary: { timers: manualTimers, cron: noCron, retry: { sleep: async () => {} } } },
    );
    const school = await h.app.repos.schools.create('Oak Academy', new Date('2026-09-01T08:00:00Z'));
    schoolId = school.id;
    const dsl = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId });
    await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId });
    const s = await signIn(h.app, dsl);
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${schoolId}/pupils`,
      headers: { ...s.write, 'content-type': 'text/csv' },
      payload:
        'login,name,year group\njohn.smith,John Smith,9\nOAK\\akhan,Aisha Khan,Year 11\nm.obrien,"Mary-Jane O\'Brien",Year 7\n',
    });
    expect(put.statusCode).toBe(200);

    // A laptop last heard of on Wednesday: not reporting by Monday.
    await enrol(school.enrolmentToken, 'LIB-LAPTOP-21');
    now = new Date('2026-11-23T08:00:00Z');
    const d07 = await enrol(school.enrolmentToken, 'OAK-LAPTOP-07');
    const d12 = await enrol(school.enrolmentToken, 'OAK-LAPTOP-12');
    const seeded: [string, { deviceId: string; auth: string }, string, Partial<CaptureMetadata>][] = [
      // This week (16–22 November).
      ['2026-11-16T10:12:00Z', d07, 'john.smith', match('kill myself', 'suicide', 5)],
      ['2026-11-17T13:40:00Z', d07, 'john.smith', match('cut myself', 'self-harm', 4)],
      ['2026-11-19T11:05:00Z', d07, 'john.smith', match('nobody likes you', 'bullying', 3)],
      ['2026-11-18T09:30:00Z', d12, 'OAK\\akhan', match('send me a pic', 'grooming', 4)],
      ['2026-11-20T14:15:00Z', d12, 'OAK\\akhan', match('loser', 'bullying', 3)],
      ['2026-11-19T15:00:00Z', d12, 'pupil01', match('county lines', 'drugs', 3)],
      ['2026-11-21T16:45:00Z', d12, 'm.obrien', match('bet365', 'gambling', 2)],
      ['2026-11-22T12:00:00Z', d07, 'tstone', match('shank', 'violence', 4)],
      // The weeks before.
      ['2026-11-10T10:00:00Z', d07, 'john.smith', match('loser', 'bullying', 3)],
      ['2026-11-11T10:00:00Z', d12, 'm.obrien', match('bet365', 'gambling', 2)],
      ['2026-11-03T10:00:00Z', d12, 'OAK\\akhan', match('loser', 'bullying', 3)],
      ['2026-10-27T10:00:00Z', d07, 'pupil01', match('weed', 'drugs', 2)],
    ];
    for (const [capturedAt, device, user, m] of seeded) await uploadCapture(h.app, device, { capturedAt, user, ...m });
    // Every upload above was severity 4 or 5 somewhere: one alert email for the batch.
    manualTimers.fire();
    await h.app.alerts.drain();
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await smtp.close();
  });

  it('renders the summary email at desktop and phone widths, and its PDF, with the headline and year groups', async () => {
    const result = await h.app.summaries.run(schoolId, parseIsoWeek('2026-W47')!);
    expect(result.send).toBe('sent');
    await smtp.waitFor(2);
    const mail = smtp.received.find((m) => m.parsed.subject?.startsWith('Vigil weekly summary'))!;
    const html = String(mail.parsed.html);
    expect(html).not.toContain(CONTEXT);
    // Gmail cuts an email's HTML after 102 KB ("[Message clipped]").
    expect(Buffer.byteLength(html)).toBeLessThan(102 * 1024);
    const htmlFile = path.join(OUT, 'summary-email.html');
    fs.writeFileSync(htmlFile, html);
    const pdfFile = path.join(OUT, 'summary.pdf');
    fs.writeFileSync(pdfFile, mail.parsed.attachments[0]!.content);

    const desktop = path.join(OUT, 'summary-email-desktop.png');
    const phone = path.join(OUT, 'summary-email-phone.png');
    await screenshot(htmlFile, desktop, 800, 2600);
    await screenshot(htmlFile, phone, 390, 4000);
    for (const [png, width, height] of [
      [desktop, 800, 2600],
      [phone, 390, 4000],
    ] as const) {
      const img = await inkOf(png);
      expect(img).toMatchObject({ width, height });
      expect(img.ink).toBeGreaterThan(0.02);
      // The whole email fits: the last line is above the bottom of the window.
      expect(await contentBottom(png)).toBeLessThan(0.99);
    }
    // Nothing runs off the side of a phone: a wider table would be cut off at the window's edge.
    expect(await contentRight(phone)).toBeLessThan(390 - 8);

    const { stdout: info } = await run('pdfinfo', [pdfFile]);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(3);
    for (const f of fs.readdirSync(OUT).filter((f) => f.startsWith('summary-pdf-'))) fs.rmSync(path.join(OUT, f));
    await run('pdftoppm', ['-png', '-r', '80', pdfFile, path.join(OUT, 'summary-pdf')]);
    const pngs = fs.readdirSync(OUT).filter((f) => /^summary-pdf-\d+\.png$/.test(f));
    expect(pngs).toHaveLength(pages);
    for (const p of pngs) {
      const img = await inkOf(path.join(OUT, p));
      // A4 at 80 dpi.
      expect(Math.abs(img.width - 661.5)).toBeLessThan(2);
      expect(Math.abs(img.height - 935.4)).toBeLessThan(2);
      expect(img.ink).toBeGreaterThan(0.01);
    }
    const { stdout: text } = await run('pdftotext', ['-layout', pdfFile, '-']);
    expect(text).toContain('1 severity-5 capture is still unreviewed');
    // The numbers of the seeded weeks: 3 severity-4 captures this week, none last week; bullying 2 against 1.
    expect(text).toMatch(/^\s*4\s+3\s+\+3 \(was 0\)\s+\+3 \(avg 0\)\s*$/m);
    expect(text).toMatch(/^\s*bullying\s+2\s+\+1 \(was 1\)\s+\+1\.5 \(avg 0\.5\)\s*$/m);
    expect(text).toMatch(/LIB-LAPTOP-21\s+18 Nov 2026, 09:00\s+4 days/);
    expect(text).toContain('J.S., Year 9');
    expect(text).toContain('A.K., Year 11');
    expect(text).not.toContain('john.smith');
    expect(text).not.toContain(CONTEXT);
  }, 120_000);

  it('renders the alert email with initials and year group, and no context', async () => {
    const mail = smtp.received.find((m) => m.parsed.subject?.startsWith('Vigil alert'))!;
    const html = String(mail.parsed.html);
    expect(mail.parsed.text).toContain('J.S., Year 9');
    expect(mail.parsed.text).toContain('A.K., Year 11');
    expect(mail.parsed.text).toContain('T.S.'); // not in the directory: initials from the login
    expect(html).not.toContain(CONTEXT);
    const htmlFile = path.join(OUT, 'alert-email.html');
    fs.writeFileSync(htmlFile, html);
    for (const [name, width] of [
      ['alert-email-desktop.png', 800],
      ['alert-email-phone.png', 390],
    ] as const) {
      const png = path.join(OUT, name);
      await screenshot(htmlFile, png, width, 1400);
      const img = await inkOf(png);
      expect(img).toMatchObject({ width, height: 1400 });
      expect(img.ink).toBeGreaterThan(0.01);
      expect(await contentBottom(png)).toBeLessThan(0.99);
    }
  }, 120_000);
});
