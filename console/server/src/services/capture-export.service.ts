import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import type { StoredCapture, HistoryEntry } from '../repositories/captures.repository';

const UK_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  dateStyle: 'medium',
  timeStyle: 'long',
});

/** An instant in UK time (GMT or BST, as the clocks were then). */
export const ukTime = (iso: string): string => UK_TIME.format(new Date(iso));

/**
 * One CSV cell: quoted, quotes doubled, and a cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or carriage return) prefixed with a single quote.
 */
export function csvCell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const CSV_COLUMNS = [
  'id',
  'schoolId',
  'capturedAtUtc',
  'capturedAtUk',
  'receivedAtUtc',
  'deviceId',
  'user',
  'source',
  'app',
  'windowTitle',
  'url',
  'severity',
  'categories',
  'phrases',
  'context',
  'count',
  'status',
  'assigneeId',
  'hold',
] as const;

export function captureCsvRow(c: StoredCapture): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> = {
    id: c.id,
    schoolId: c.schoolId,
    capturedAtUtc: c.capturedAt,
    capturedAtUk: ukTime(c.capturedAt),
    receivedAtUtc: c.receivedAt,
    deviceId: c.deviceId,
    user: c.user,
    source: c.source,
    app: c.app,
    windowTitle: c.windowTitle,
    url: c.url,
    severity: c.severity,
    categories: [...new Set(c.matches.map((m) => m.category))].join('; '),
    phrases: [...new Set(c.matches.map((m) => m.phrase))].join('; '),
    context: c.context,
    count: c.count,
    status: c.status,
    assigneeId: c.assigneeId,
    hold: c.hold,
  };
  return CSV_COLUMNS.map((k) => csvCell(cells[k])).join(',');
}

export const csvHeader = (): string => CSV_COLUMNS.map((k) => csvCell(k)).join(',');

export interface IncidentReport {
  capture: StoredCapture;
  schoolName: string;
  device: { hostname: string; os: string } | null;
  history: HistoryEntry[];
  screenshot: Buffer | undefined;
  generatedAt: Date;
  generatedBy: string;
}

const both = (iso: string): string => `${ukTime(iso)}  (UTC ${iso})`;

/** A one-capture incident report as a PDF: the facts a DSL hands on, with the screenshot. */
export async function incidentReportPdf(r: IncidentReport): Promise<Buffer> {
  const c = r.capture;
  // pdfkit embeds PNG and JPEG; screenshots are often WebP.
  const image = r.screenshot
    ? await sharp(r.screenshot).resize({ width: 1600, withoutEnlargement: true }).png().toBuffer()
    : undefined;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Vigil incident report ${c.id}`, Author: 'Vigil', Subject: 'Safeguarding incident report' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const field = (label: string, value: string): void => {
    doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true });
    doc.font('Helvetica').text(value);
  };
  const heading = (text: string): void => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text).moveDown(0.3);
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Safeguarding incident report');
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`Generated ${both(r.generatedAt.toISOString())} by ${r.generatedBy}. Confidential.`);
  heading('Capture');
  field('School', r.schoolName);
  field('Capture id', c.id);
  field('Captured', both(c.capturedAt));
  field('Received', both(c.receivedAt));
  field('Device', r.device ? `${r.device.hostname} (${r.device.os}), id ${c.deviceId}` : c.deviceId);
  field('User', c.user);
  field('Source', c.source);
  field('Application', c.app);
  field('Window title', c.windowTitle);
  if (c.url) field('URL', c.url);
  field('Severity', String(c.severity));
  field('Times seen', String(c.count));
  field('Status', `${c.status}${c.hold ? ' (on hold)' : ''}`);

  heading('Matches');
  for (const m of c.matches) {
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`• "${m.phrase}" (${m.category}, severity ${m.severity}, entry ${m.entryId})`);
  }
  heading('Context');
  doc.font('Helvetica').fontSize(10).text(c.context);

  heading('Review history');
  if (r.history.length === 0) doc.font('Helvetica').fontSize(10).text('No review yet.');
  for (const h of r.history) {
    const parts = [
      h.statusTo !== null ? `status ${h.statusFrom ?? '?'} → ${h.statusTo}` : null,
      h.assigneeTo !== null || h.assigneeFrom !== null
        ? `assignee ${h.assigneeFrom ?? 'none'} → ${h.assigneeTo ?? 'none'}`
        : null,
      h.holdTo !== null ? (h.holdTo ? 'put on hold' : 'hold lifted') : null,
      h.note !== null ? `note: ${h.note}` : null,
    ].filter((p): p is string => p !== null);
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`${both(h.at)} — ${h.userEmail ?? h.userId}: ${parts.join('; ') || 'no change'}`);
  }

  if (image) {
    doc.addPage();
    doc.font('Helvetica-Bold').fontSize(13).text('Screenshot').moveDown(0.5);
    doc.image(image, { fit: [495, 700], align: 'center' });
  }
  doc.end();
  return done;
}
