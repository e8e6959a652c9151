import PDFDocument from 'pdfkit';
import type { SummaryData } from './summary.schema';
import {
  whoAndDevice,
  callout,
  captureBlocks,
  emailDocument,
  esc,
  footnote,
  heading,
  p,
  severityChip,
  table,
  title,
} from './email-layout';

/**
 * The summary as email HTML (tables and inline styles only, which Outlook and Gmail both render),
 * as plain text, and as a PDF. Only what is in SummaryData appears: no screenshots, no context.
 */
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
  `Pupils are shown ${s.namesShown ? 'by name' : 'by initials'} and year group from the school's pupil directory; ` +
  `a pupil the directory does not know, ${s.namesShown ? 'by login name' : 'by initials from their login'}, or by device. ` +
  'Links need a signed-in session. This email carries no screenshots and no captured text beyond the category and phrase.';

/** The headline, one sentence a line. */
const headlineLines = (s: SummaryData): string[] => s.headline.split(/(?<=\.)\s+/).filter((l) => l !== '');

const short = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
const statusText = (status: string): string => (status === 'new' ? 'unreviewed' : status.replace('_', ' '));

export function renderSummaryText(s: SummaryData): string {
  const out = [summarySubject(s), '', ...headlineLines(s), '', backlogLine(s), ''];
  for (const sec of sections(s)) {
    out.push(sec.title.toUpperCase());
    if (sec.rows.length === 0) out.push(`  ${sec.empty}`);
    for (const r of sec.rows) out.push(`  ${r.map((cell, i) => `${sec.head[i]}: ${cell}`).join(' | ')}`);
    out.push('');
  }
  out.push(privacyLine(s));
  return `${out.join('\n')}\n`;
}

const changeCell = (change: number, was: string): string =>
  `<strong>${esc(signed(change))}</strong> <span style="color:#52606d;white-space:nowrap;">(${esc(was)})</span>`;

export function renderSummaryHtml(s: SummaryData): string {
  const trend = (l: SummaryData['bySeverity'][number] | SummaryData['byCategory'][number]) => [
    `<strong>${l.count}</strong>`,
    changeCell(l.changeFromLastWeek, `was ${l.lastWeek}`),
    changeCell(l.changeFromAverage, `avg ${l.fourWeekAverage}`),
  ];
  const rows = [
    title(`Weekly headline summary: ${s.schoolName}`, `Week ${s.week}, ${day(s.weekStart)} to ${lastDay(s)}`),
    callout(headlineLines(s)),
    p(esc(backlogLine(s))),
    heading('Captures by severity'),
    table(
      ['Severity', 'This week', 'On last week', 'On 4-week average'],
      s.bySeverity.map((l) => [severityChip(l.severity), ...trend(l)]),
      'No captures.',
    ),
    heading('Captures by category'),
    table(
      ['Category', 'This week', 'On last week', 'On 4-week average'],
      s.byCategory.map((l) => [esc(l.category), ...trend(l)]),
      'No captures this week or last.',
    ),
    heading('Captures of particular interest'),
    captureBlocks(
      s.ofInterest.map((c) => ({
        severity: c.severity,
        title: `${c.categories.join(', ')}: “${c.phrases.join('”, “')}”`,
        who: whoAndDevice(c.pupil, c.device),
        meta: `${short(c.capturedAt)} · ${statusText(c.status)}`,
        href: c.link,
      })),
      'None at severity 3 or above.',
    ),
    heading('Pupils with repeated concerns'),
    table(
      ['Pupil', 'Captures', 'Highest', 'Categories'],
      s.repeatedConcerns.map((r) => [
        esc(r.pupil),
        String(r.captures),
        severityChip(r.highestSeverity),
        esc(r.categories.join(', ')),
      ]),
      'None (3 or more captures, or any at severity 5).',
    ),
    heading('Devices not reporting'),
    table(
      ['Device', 'Last seen', 'Silent for'],
      s.devicesNotReporting.map((d) => [
        esc(d.hostname),
        esc(d.lastSeenAt ? london(d.lastSeenAt) : 'never'),
        esc(hours(d.silentHours)),
      ]),
      'Every device is reporting.',
    ),
    heading('Keyword-list changes published'),
    table(
      ['Version', 'Published', 'What changed'],
      s.keywordListChanges.map((k) => [esc(k.version), esc(london(k.publishedAt)), esc(clip(k.changelog ?? '', 300))]),
      'None this week.',
    ),
    footnote(privacyLine(s)),
  ];
  return emailDocument(summarySubject(s), headlineLines(s)[0] ?? '', rows.join(''));
}

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 48;

/** A table in the PDF: a bold header row, wrapped cells, a new page (header repeated) when full. */
function pdfTable(
  doc: Doc,
  head: readonly string[],
  widths: readonly number[],
  rows: readonly string[][],
  empty: string,
) {
  const left = MARGIN;
  const full = doc.page.width - 2 * MARGIN;
  const cols = widths.map((w) => w * full);
  const pad = 3;
  const bottom = () => doc.page.height - MARGIN;
  const heightOf = (cells: readonly string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i]! - 2 * pad }))) + 2 * pad;
  };
  /** The line under a row drawn at y, h high; the next row starts below it. */
  const endRow = (y: number, h: number) => {
    doc
      .moveTo(left, y + h)
      .lineTo(left + full, y + h)
      .lineWidth(0.5)
      .strokeColor('#d0d5dd')
      .stroke();
    doc.x = left;
    doc.y = y + h;
  };
  const drawRow = (cells: readonly string[], bold: boolean) => {
    const h = heightOf(cells, bold);
    if (doc.y + h > bottom()) {
      doc.addPage();
      if (!bold) drawRow(head, true);
    }
    const y = doc.y;
    if (bold) doc.rect(left, y, full, h).fill('#f1f4f7');
    doc
      .fillColor('#1f2933')
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9);
    let x = left;
    cells.forEach((c, i) => {
      doc.text(c, x + pad, y + pad, { width: cols[i]! - 2 * pad });
      x += cols[i]!;
    });
    endRow(y, h);
  };
  drawRow(head, true);
  if (rows.length === 0) {
    // The "none" line spans the table rather than wrapping in its first column.
    doc.font('Helvetica').fontSize(9).fillColor('#52606d');
    const h = doc.heightOfString(empty, { width: full - 2 * pad }) + 2 * pad;
    const y = doc.y;
    doc.text(empty, left + pad, y + pad, { width: full - 2 * pad });
    endRow(y, h);
  }
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.8);
}

/** The same summary as a PDF (pdfkit's built-in Helvetica: no font files to ship). */
export function renderSummaryPdf(s: SummaryData): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: summarySubject(s), Author: 'Vigil' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 2 * MARGIN;
    doc.fillColor('#1f2933').font('Helvetica-Bold').fontSize(16).text(`Weekly headline summary: ${s.schoolName}`);
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor('#52606d')
      .text(`Week ${s.week}, ${day(s.weekStart)} to ${lastDay(s)}`);
    doc.moveDown(0.6);
    // The headline in a tinted box with an orange bar, as in the email.
    const lines = headlineLines(s);
    doc.font('Helvetica').fontSize(11);
    const boxH = lines.reduce((h, l) => h + doc.heightOfString(l, { width: width - 20 }), 0) + 14;
    const top = doc.y;
    doc.rect(MARGIN, top, width, boxH).fill('#fff4e5');
    doc.rect(MARGIN, top, 3, boxH).fill('#d9822b');
    doc.fillColor('#1f2933').text(lines.join('\n'), MARGIN + 12, top + 7, { width: width - 20 });
    doc.x = MARGIN;
    doc.y = top + boxH + 8;
    doc.fontSize(10).text(backlogLine(s)).moveDown(0.8);
    const section = (name: string) => {
      if (doc.y + 60 > doc.page.height - MARGIN) doc.addPage();
      doc.font('Helvetica-Bold').fontSize(12).fillColor('#1f2933').text(name, MARGIN).moveDown(0.3);
    };
    const trend = (l: SummaryData['bySeverity'][number] | SummaryData['byCategory'][number]) => [
      String(l.count),
      `${signed(l.changeFromLastWeek)} (was ${l.lastWeek})`,
      `${signed(l.changeFromAverage)} (avg ${l.fourWeekAverage})`,
    ];
    section('Captures by severity');
    pdfTable(
      doc,
      ['Severity', 'This week', 'On last week', 'On 4-week average'],
      [0.2, 0.2, 0.3, 0.3],
      s.bySeverity.map((l) => [String(l.severity), ...trend(l)]),
      'No captures.',
    );
    section('Captures by category');
    pdfTable(
      doc,
      ['Category', 'This week', 'On last week', 'On 4-week average'],
      [0.2, 0.2, 0.3, 0.3],
      s.byCategory.map((l) => [l.category, ...trend(l)]),
      'No captures this week or last.',
    );
    section('Captures of particular interest');
    pdfTable(
      doc,
      ['When', 'Sev.', 'Category: phrase', 'Pupil, device', 'Status'],
      [0.17, 0.07, 0.3, 0.31, 0.15],
      s.ofInterest.map((c) => [
        short(c.capturedAt),
        String(c.severity),
        `${c.categories.join(', ')}: "${c.phrases.join('", "')}"`,
        `${c.pupil}\n${c.device}`,
        statusText(c.status),
      ]),
      'None at severity 3 or above.',
    );
    section('Pupils with repeated concerns');
    pdfTable(
      doc,
      ['Pupil', 'Captures', 'Highest severity', 'Categories'],
      [0.3, 0.15, 0.2, 0.35],
      s.repeatedConcerns.map((r) => [r.pupil, String(r.captures), String(r.highestSeverity), r.categories.join(', ')]),
      'None (3 or more captures, or any at severity 5).',
    );
    section('Devices not reporting');
    pdfTable(
      doc,
      ['Device', 'Last seen', 'Silent for'],
      [0.4, 0.35, 0.25],
      s.devicesNotReporting.map((d) => [
        d.hostname,
        d.lastSeenAt ? london(d.lastSeenAt) : 'never',
        hours(d.silentHours),
      ]),
      'Every device is reporting.',
    );
    section('Keyword-list changes published');
    pdfTable(
      doc,
      ['Version', 'Published', 'What changed'],
      [0.12, 0.28, 0.6],
      s.keywordListChanges.map((k) => [k.version, london(k.publishedAt), clip(k.changelog ?? '', 300)]),
      'None this week.',
    );
    doc.fontSize(8).font('Helvetica').fillColor('#555555').text(privacyLine(s), MARGIN, doc.y, { width });
    doc.end();
  });
}
