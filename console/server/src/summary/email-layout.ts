/**
 * Email building blocks that Outlook (Word's renderer), Gmail and phone mail apps all show the same
 * way: nested tables, inline styles, no CSS classes, no media queries to rely on. The body is a
 * fluid table capped at 640 px (with an Outlook-only fixed-width "ghost" table, as Outlook ignores
 * max-width), and nothing is wider than a phone: captures are stacked blocks, not wide rows.
 */
export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
export const INK = '#1f2933';
export const MUTED = '#52606d';
const LINE = '#e3e6ea';
const LINK = '#1a5fb4';

/** Severity colours: strong enough to see at a glance, with white or dark text that stays readable. */
const SEVERITY: Record<number, { bg: string; fg: string }> = {
  5: { bg: '#b42318', fg: '#ffffff' },
  4: { bg: '#dc6803', fg: '#ffffff' },
  3: { bg: '#fdb022', fg: '#1f2933' },
  2: { bg: '#d0d5dd', fg: '#1f2933' },
  1: { bg: '#eaecf0', fg: '#1f2933' },
};

export function severityChip(severity: number): string {
  const c = SEVERITY[severity] ?? SEVERITY[1]!;
  return (
    `<span style="${FONT}display:inline-block;min-width:18px;padding:2px 6px;border-radius:3px;` +
    `background-color:${c.bg};color:${c.fg};font-size:12px;font-weight:bold;text-align:center;">${severity}</span>`
  );
}

export const p = (html: string, style = ''): string =>
  `<tr><td style="${FONT}font-size:14px;line-height:20px;color:${INK};padding:0 0 10px 0;${style}">${html}</td></tr>`;

export const heading = (text: string): string =>
  `<tr><td style="${FONT}font-size:17px;line-height:22px;font-weight:bold;color:${INK};padding:20px 0 8px 0;">${esc(text)}</td></tr>`;

export const link = (href: string, text: string): string =>
  `<a href="${esc(href)}" style="color:${LINK};text-decoration:underline;">${esc(text)}</a>`;

const TD = `${FONT}font-size:13px;line-height:18px;color:${INK};padding:6px 6px;border-bottom:1px solid ${LINE};vertical-align:top;`;
const TH = `${TD}font-weight:bold;background-color:#f1f4f7;text-align:left;`;

/** A small table of short cells (4 columns at most keeps it inside a phone's width). Cells are HTML. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  const body =
    rows.length === 0
      ? `<tr><td colspan="${head.length}" style="${TD}color:${MUTED};">${esc(empty)}</td></tr>`
      : rows.map((r) => `<tr>${r.map((cell) => `<td style="${TD}">${cell}</td>`).join('')}</tr>`).join('');
  return (
    `<tr><td style="padding:0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">` +
    `<tr>${head.map((h) => `<th align="left" style="${TH}">${esc(h)}</th>`).join('')}</tr>${body}</table></td></tr>`
  );
}

export interface CaptureBlock {
  severity: number;
  /** Category and phrase, e.g. `suicide: "kill myself"`. */
  title: string;
  /** Pupil and device. */
  who: string;
  /** When, and the review status. */
  meta: string;
  href: string;
}

/** "J.S., Year 9 · LAPTOP-07", or just "pupil on LAPTOP-07" when the label already names the device. */
export const whoAndDevice = (pupil: string, device: string): string =>
  pupil.endsWith(device) ? pupil : `${pupil} · ${device}`;

/** Captures as stacked blocks: a severity chip beside three short lines and a link (fits any width). */
export function captureBlocks(items: readonly CaptureBlock[], empty: string): string {
  if (items.length === 0) return p(esc(empty), `color:${MUTED};`);
  const rows = items
    .map(
      (c) =>
        `<tr><td width="36" valign="top" style="padding:8px 8px 8px 0;border-bottom:1px solid ${LINE};">${severityChip(c.severity)}</td>` +
        `<td valign="top" style="${FONT}font-size:13px;line-height:18px;color:${INK};padding:8px 0;border-bottom:1px solid ${LINE};">` +
        `<strong>${esc(c.title)}</strong><br>${esc(c.who)}<br><span style="color:${MUTED};">${esc(c.meta)}</span><br>${link(c.href, 'Open in Vigil')}</td></tr>`,
    )
    .join('');
  return `<tr><td style="padding:0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">${rows}</table></td></tr>`;
}

/** The whole email: a grey page, a white card at most 640 px wide, `rows` inside it. */
export function emailDocument(title: string, preheader: string, rows: string): string {
  return (
    `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="x-apple-disable-message-reformatting">` +
    `<title>${esc(title)}</title></head>` +
    `<body style="margin:0;padding:0;background-color:#f6f7f9;-webkit-text-size-adjust:100%;">` +
    // The preview line mail apps show after the subject; hidden in the body itself.
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${esc(preheader)}</div>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f6f7f9;"><tr><td align="center" style="padding:12px 8px;">` +
    `<!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;background-color:#ffffff;border-collapse:collapse;">` +
    `<tr><td style="padding:16px;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">${rows}</table>` +
    `</td></tr></table>` +
    `<!--[if mso]></td></tr></table><![endif]-->` +
    `</td></tr></table></body></html>`
  );
}

export const title = (text: string, sub: string): string =>
  `<tr><td style="${FONT}font-size:20px;line-height:26px;font-weight:bold;color:${INK};padding:0;">${esc(text)}</td></tr>` +
  `<tr><td style="${FONT}font-size:13px;line-height:18px;color:${MUTED};padding:4px 0 12px 0;">${esc(sub)}</td></tr>`;

/** The "what matters most" box: one line per sentence. */
export const callout = (lines: readonly string[]): string =>
  `<tr><td style="${FONT}font-size:15px;line-height:22px;color:${INK};padding:10px 12px;background-color:#fff4e5;border-left:4px solid #d9822b;">` +
  `${lines.map(esc).join('<br>')}</td></tr><tr><td style="padding:0 0 8px 0;font-size:0;line-height:0;">&nbsp;</td></tr>`;

export const footnote = (text: string): string =>
  `<tr><td style="${FONT}font-size:11px;line-height:16px;color:#7b8794;padding:20px 0 0 0;">${esc(text)}</td></tr>`;
