import PDFDocument from 'pdfkit';
import type { SummaryData } from './summary.schema';

/**
 * The summary as email HTML (tables and inline styles only, which Outlook and Gmail both render),
 * as plain text, and as a PDF. Only what is in SummaryData appears: no screenshots, no context.
 */
const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));
const london = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
const day = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium' }).format(new Date(iso));
const lastDay = (s: SummaryData): string => day(new Date(Date.parse(s.weekEnd) - 1).toISOString());
const hours = (h: number | null): string =>
  h === null ? 'never reported' : h >= 48 ? `${Math.floor(h / 24)} days` : `${h} hours`;

export const summarySubject = (s: SummaryData): string =>
  `Vigil weekly summary, ${s.schoolName}, week ${s.week} (${day(s.weekStart)} to ${lastDay(s)})`;

interface Section {
  title: string;
  head: string[];
  rows: string[][];
  empty: string;
  /** Column index holding a link (HTML only). */
  linkColumn?: { index: number; href: (row: number) => string };
}

function sections(s: SummaryData): Section[] {
  return [
    {
      title: 'Captures by severity',
      head: ['Severity', 'This week', 'Last week', 'Change', '4-week average', 'vs average'],
      rows: s.bySeverity.map((l) => [
        String(l.severity),
        String(l.count),
        String(l.lastWeek),
        signed(l.changeFromLastWeek),
        String(l.fourWeekAverage),
        signed(l.changeFromAverage),
      ]),
      empty: 'No captures.',
    },
    {
      title: 'Captures by category',
      head: ['Category', 'This week', 'Last week', 'Change', '4-week average', 'vs average'],
      rows: s.byCategory.map((l) => [
        l.category,
        String(l.count),
        String(l.lastWeek),
        signed(l.changeFromLastWeek),
        String(l.fourWeekAverage),
        signed(l.changeFromAverage),
      ]),
      empty: 'No captures this week or last.',
    },
    {
      title: 'Captures of particular interest',
      head: ['When', 'Severity', 'Category', 'Phrase', 'Pupil', 'Status', 'Open'],
      rows: s.ofInterest.map((c) => [
        london(c.capturedAt),
        String(c.severity),
        c.categories.join(', '),
        c.phrases.join(', '),
        `${c.pupil} (${c.device})`,
        c.status === 'new' ? 'unreviewed' : c.status.replace('_', ' '),
        c.link,
      ]),
      empty: 'None at severity 3 or above.',
      linkColumn: { index: 6, href: (row) => s.ofInterest[row]!.link },
    },
    {
      title: 'Pupils with repeated concerns',
      head: ['Pupil', 'Captures', 'Highest severity', 'Categories'],
      rows: s.repeatedConcerns.map((p) => [
        p.pupil,
        String(p.captures),
        String(p.highestSeverity),
        p.categories.join(', '),
      ]),
      empty: 'None (3 or more captures, or any at severity 5).',
    },
    {
      title: 'Devices not reporting',
      head: ['Device', 'Last seen', 'Silent for'],
      rows: s.devicesNotReporting.map((d) => [
        d.hostname,
        d.lastSeenAt ? london(d.lastSeenAt) : 'never',
        hours(d.silentHours),
      ]),
      empty: 'Every device is reporting.',
    },
    {
      title: 'Keyword-list changes published',
      head: ['Version', 'Published', 'What changed'],
      rows: s.keywordListChanges.map((k) => [k.version, london(k.publishedAt), clip(k.changelog ?? '', 300)]),
      empty: 'None this week.',
    },
  ];
}

const backlogLine = (s: SummaryData): string =>
  s.backlog.unreviewed === 0
    ? 'Review backlog: nothing unreviewed.'
    : `Review backlog: ${s.backlog.unreviewed} unreviewed; the oldest is ${hours(s.backlog.oldestAgeHours)} old.`;

const privacyLine = (s: SummaryData): string =>
  `Pupils are shown ${s.namesShown ? 'by login name' : 'by initials (or device)'}; year groups are not known to Vigil yet. ` +
  'Links need a signed-in session. This email carries no screenshots and no captured text beyond the category and phrase.';

export function renderSummaryText(s: SummaryData): string {
  const out = [summarySubject(s), '', s.headline, '', backlogLine(s), ''];
  for (const sec of sections(s)) {
    out.push(sec.title.toUpperCase());
    if (sec.rows.length === 0) out.push(`  ${sec.empty}`);
    for (const r of sec.rows) out.push(`  ${r.map((cell, i) => `${sec.head[i]}: ${cell}`).join(' | ')}`);
    out.push('');
  }
  out.push(privacyLine(s));
  return `${out.join('\n')}\n`;
}

const TD =
  'padding:6px 8px;border-bottom:1px solid #e3e6ea;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#1f2933;';
const TH = `${TD}font-weight:bold;background-color:#f1f4f7;text-align:left;`;

export function renderSummaryHtml(s: SummaryData): string {
  const body = sections(s)
    .map((sec) => {
      const rows =
        sec.rows.length === 0
          ? `<tr><td style="${TD}" colspan="${sec.head.length}">${esc(sec.empty)}</td></tr>`
          : sec.rows
              .map(
                (r, ri) =>
                  `<tr>${r
                    .map((cell, ci) =>
                      sec.linkColumn?.index === ci
                        ? `<td style="${TD}"><a href="${esc(sec.linkColumn.href(ri))}" style="color:#1a5fb4;">Open</a></td>`
                        : `<td style="${TD}">${esc(cell)}</td>`,
                    )
                    .join('')}</tr>`,
              )
              .join('');
      return (
        `<tr><td style="padding:18px 0 6px 0;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#1f2933;">${esc(sec.title)}</td></tr>` +
        `<tr><td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">` +
        `<tr>${sec.head.map((h) => `<th style="${TH}">${esc(h)}</th>`).join('')}</tr>${rows}</table></td></tr>`
      );
    })
    .join('');
  return (
    `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${esc(summarySubject(s))}</title></head><body style="margin:0;padding:0;background-color:#f6f7f9;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f6f7f9;"><tr><td align="center" style="padding:16px;">` +
    `<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:640px;max-width:100%;background-color:#ffffff;border-collapse:collapse;">` +
    `<tr><td style="padding:16px;font-family:Arial,Helvetica,sans-serif;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">` +
    `<tr><td style="font-family:Arial,Helvetica,sans-serif;font-size:20px;font-weight:bold;color:#1f2933;">Weekly headline summary: ${esc(s.schoolName)}</td></tr>` +
    `<tr><td style="padding:4px 0 12px 0;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#52606d;">Week ${esc(s.week)}, ${esc(day(s.weekStart))} to ${esc(lastDay(s))}</td></tr>` +
    `<tr><td style="padding:12px;background-color:#fff4e5;border-left:4px solid #d9822b;font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1f2933;">${esc(s.headline)}</td></tr>` +
    `<tr><td style="padding:12px 0 0 0;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#1f2933;">${esc(backlogLine(s))}</td></tr>` +
    body +
    `<tr><td style="padding:18px 0 0 0;font-family:Arial,Helvetica,sans-serif;font-size:11px;color:#7b8794;">${esc(privacyLine(s))}</td></tr>` +
    `</table></td></tr></table></td></tr></table></body></html>`
  );
}

/** The same summary as a PDF (pdfkit's built-in Helvetica: no font files to ship). */
export function renderSummaryPdf(s: SummaryData): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: summarySubject(s), Author: 'Vigil' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(16).text(`Weekly headline summary: ${s.schoolName}`);
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`Week ${s.week}, ${day(s.weekStart)} to ${lastDay(s)}`)
      .moveDown();
    doc.fontSize(12).text(s.headline).moveDown(0.5);
    doc.fontSize(10).text(backlogLine(s)).moveDown();
    for (const sec of sections(s)) {
      doc.font('Helvetica-Bold').fontSize(12).text(sec.title);
      doc.font('Helvetica').fontSize(9);
      if (sec.rows.length === 0) doc.text(sec.empty);
      for (const r of sec.rows) doc.text(r.map((cell, i) => `${sec.head[i]}: ${cell}`).join('   '));
      doc.moveDown();
    }
    doc.fontSize(8).fillColor('#555555').text(privacyLine(s));
    doc.end();
  });
}
