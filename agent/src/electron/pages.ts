/**
 * The shell's pages, served from the app's own scheme (`vigil://app/…`) by main.ts: each HTML
 * page carries the content security policy in a meta tag as well as the response header, loads
 * one stylesheet and one script, and has no inline code.
 */
import { META_CONTENT_SECURITY_POLICY, type PageName } from './window-security';

const TITLES: Record<PageName, string> = {
  report: 'Report a concern',
  privacy: 'Privacy notice',
  support: 'Help is here',
};

export function pageHtml(page: PageName): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${META_CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[page]}</title>
<link rel="stylesheet" href="page.css">
<script src="page.js" defer></script>
</head>
<body data-page="${page}">
<main id="root" aria-live="polite"></main>
</body>
</html>
`;
}

export function pageTitle(page: PageName): string {
  return TITLES[page];
}

/** renderer/page.js is compiled as CommonJS; in the page it runs in a function scope of its own. */
export function wrapRendererScript(compiled: string): string {
  return `(function (exports) {\n${compiled}\n})({});\n`;
}

export const PAGE_CSS = `
:root { color-scheme: light; font-family: "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif; }
body { margin: 0; background: #f6f7f5; color: #1d2321; font-size: 15px; line-height: 1.5; }
main { padding: 20px 24px; }
h1 { font-size: 20px; margin: 0 0 12px; color: #1f6f5c; }
p { margin: 0 0 12px; }
textarea { box-sizing: border-box; width: 100%; min-height: 150px; padding: 10px; font: inherit; border: 1px solid #9aa7a2; border-radius: 6px; resize: vertical; }
textarea:focus, button:focus { outline: 3px solid #f2b632; outline-offset: 1px; }
.counter { font-size: 13px; color: #55625d; text-align: right; margin-top: 4px; }
.status { min-height: 1.5em; margin: 8px 0; }
.status.error { color: #a3261b; }
.buttons { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
button { font: inherit; padding: 8px 16px; border-radius: 6px; border: 1px solid #1f6f5c; background: #fff; color: #1f6f5c; cursor: pointer; }
button.primary { background: #1f6f5c; color: #fff; }
button:disabled { opacity: 0.6; cursor: default; }
ul.contacts { list-style: none; padding: 0; margin: 0 0 12px; }
ul.contacts li { background: #fff; border-radius: 8px; padding: 10px 12px; margin-bottom: 8px; border: 1px solid #d8dfdc; }
ul.contacts strong { display: block; }
`;
