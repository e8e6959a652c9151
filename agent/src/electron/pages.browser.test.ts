/**
 * The shell's pages in a real Chromium (the engine of Electron's windows), served with the same
 * HTML, stylesheet, script and content security policy that main.ts serves on vigil://app, and a
 * stand-in for the preload's `window.vigil`. Proves the pages work under the CSP (no inline code)
 * and that nothing from the policy or the pupil becomes markup.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import ts from 'typescript';
import type { PageView } from './ipc';
import { PAGE_CSS, pageHtml, wrapRendererScript } from './pages';
import { SUPPORT_CARD } from './support-card';
import { CONTENT_SECURITY_POLICY, PAGES, type PageName } from './window-security';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** renderer/page.ts compiled as the agent's build compiles it (CommonJS, ES2022). */
const script = wrapRendererScript(
  ts.transpileModule(readFileSync(path.join(__dirname, 'renderer', 'page.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText,
);

describe('shell pages in Chromium', () => {
  let server: http.Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const name = (req.url ?? '/').slice(1);
      const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY };
      if (name === 'page.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(script);
      else if (name === 'page.css') res.writeHead(200, { ...headers, 'Content-Type': 'text/css' }).end(PAGE_CSS);
      else if (PAGES.includes(name.replace(/\.html$/, '') as PageName)) {
        res
          .writeHead(200, { ...headers, 'Content-Type': 'text/html' })
          .end(pageHtml(name.replace(/\.html$/, '') as PageName));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Opens a page with a stand-in bridge; submitReport answers from `results` in turn. */
  async function open(
    pageName: PageName,
    view: PageView,
    results: unknown[] = [],
  ): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(e.message));
    await page.addInitScript(
      ({ view, results }) => {
        const w = globalThis as unknown as Record<string, unknown>;
        const calls: unknown[] = [];
        w.__calls = calls;
        w.vigil = Object.freeze({
          view: () => Promise.resolve(view),
          submitReport: (text: string) => {
            calls.push({ submit: text });
            return Promise.resolve(results.shift() ?? { ok: true, id: 'r1' });
          },
          close: () => calls.push('close'),
        });
      },
      { view, results },
    );
    await page.goto(`${origin}/${pageName}.html`);
    return { page, violations };
  }

  it('report: the pupil writes, sends, and is thanked; nothing is blocked by the CSP', async () => {
    const { page, violations } = await open('report', { page: 'report', maxChars: 2000 });
    await page.getByRole('heading', { name: 'Report a concern' }).waitFor();
    const box = page.getByLabel('What worried you');
    await box.fill('Someone keeps messaging me');
    await page.getByText('26 / 2,000').waitFor();
    await page.getByRole('button', { name: 'Send to my school' }).click();
    await page.getByRole('heading', { name: 'Thank you for telling us' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { __calls: unknown[] }).__calls)).toEqual([
      { submit: 'Someone keeps messaging me' },
    ]);
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { __calls: unknown[] }).__calls)).toContain('close');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('report: a refusal is shown and the words are kept', async () => {
    const { page } = await open('report', { page: 'report', maxChars: 2000 }, [
      { ok: false, message: 'Please write a few words about what worried you.' },
    ]);
    await page.getByLabel('What worried you').fill('   ');
    await page.getByRole('button', { name: 'Send to my school' }).click();
    await page.getByText('Please write a few words about what worried you.').waitFor();
    expect(await page.getByRole('button', { name: 'Send to my school' }).isEnabled()).toBe(true);
    await page.close();
  });

  it('privacy: the school’s text is shown as text, never as markup', async () => {
    const { page, violations } = await open('privacy', {
      page: 'privacy',
      content: {
        title: 'How this device is monitored',
        paragraphs: ['Plain words.', '<img src=x onerror="alert(1)"><b>bold</b>'],
      },
    });
    await page.getByText('Plain words.').waitFor();
    expect(await page.locator('img, b').count()).toBe(0);
    await page.getByText('<img src=x onerror="alert(1)"><b>bold</b>').waitFor();
    expect(violations).toEqual([]);
    await page.close();
  });

  it('support card: the helplines are on it', async () => {
    const { page, violations } = await open('support', { page: 'support', content: SUPPORT_CARD });
    await page.getByRole('heading', { name: SUPPORT_CARD.title }).waitFor();
    const text = await page.locator('main').innerText();
    for (const must of ['Childline', '0800 1111', 'Samaritans', '116 123', 'Shout', '85258', 'trusted adult']) {
      expect(text).toContain(must);
    }
    expect(violations).toEqual([]);
    await page.close();
  });

  it('an inline script in a page would be refused by the policy', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => violations.push(m.text()));
    await page.goto(`${origin}/privacy.html`);
    await page.evaluate(
      `(() => { const s = document.createElement('script'); s.textContent = 'document.title = "pwned"'; document.head.append(s); })()`,
    );
    expect(await page.title()).toBe('Privacy notice');
    expect(violations.join('\n')).toMatch(/Content Security Policy/);
    await page.close();
  });
});
