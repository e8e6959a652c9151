import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { authenticator } from 'otplib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../support/processes';
import { startConsole, type RunningConsole } from '../support/vigil';
import { axeViolations, describeViolations, focusState, tabTo, tabWalk, type FocusState } from './a11y';
import { enrol, entryIdOf, heartbeat, policy, upload, type SeedDevice } from './seed';

/**
 * The dashboard in Debian's Chromium against the real console (cli.js serve) with seeded data:
 * sign-in with TOTP, live arrival, the capture page and its screenshot, review, filters, the
 * keyword lists, and another school's user kept out. Screenshots of every page are saved under
 * test/output/dashboard/ for a person to look at.
 */

const OUT = path.join(REPO, 'test', 'output', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--lang=en-GB', // dates in inputs as a UK browser shows them (dd/mm/yyyy)
];

interface Account {
  email: string;
  password: string;
  totpSecret: string | null;
}

/** The parts of an HTMLImageElement the checks read (the e2e package has no DOM types). */
interface Img {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  addEventListener(type: 'load', listener: (value: unknown) => void, options: { once: boolean }): void;
}

const NEW_PASSWORD = 'correct horse battery staple';

async function browser(dir: string): Promise<BrowserContext> {
  const userDataDir = fs.mkdtempSync(path.join(dir, 'chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
}

/** ISO 8601 week of a date in Europe/London (the console's weeks), as YYYY-Www. */
function isoWeek(date: Date): string {
  const [day, month, year] = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  })
    .format(date)
    .split('/')
    .map(Number) as [number, number, number];
  const d = new Date(Date.UTC(year, month - 1, day));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Polls a condition (the page's CSP rightly forbids waitForFunction's eval). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** axe-core's WCAG 2.0/2.1 A and AA violations on each page audited, by the page's screenshot name. */
const audits = new Map<string, string[]>();

/** Saves a screenshot of the page and audits it with axe-core (the last test asserts none failed). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  audits.set(name, describeViolations(name, await axeViolations(page)));
}

/** Signs in through the form: password, then the TOTP code when asked, then a new password when asked. */
async function signIn(page: Page, url: string, account: Account, shots = false): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Email address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  if (shots) await shot(page, '01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (account.totpSecret) {
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    if (shots) await shot(page, '02-sign-in-code');
    await code.fill(authenticator.generate(account.totpSecret));
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  const signedIn = page.getByRole('navigation', { name: 'Main' });
  const changePassword = page.getByRole('heading', { name: 'Choose a new password' });
  await signedIn.or(changePassword).waitFor();
  if (await changePassword.isVisible()) {
    if (shots) await shot(page, '03-change-password');
    await page.getByLabel('Current (one-time) password').fill(account.password);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save password' }).click();
    account.password = NEW_PASSWORD;
  }
  await signedIn.waitFor();
}

describe('the DSL dashboard in a real browser', () => {
  let dir: string;
  let vigil: RunningConsole;
  let oak: { id: string; enrolmentToken: string };
  let elm: { id: string; enrolmentToken: string };
  let dsl: Account;
  let admin: Account;
  let otherDsl: Account;
  let device: SeedDevice;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};
  /** Script errors and CSP violations the DSL's page reported. */
  const problems: string[] = [];
  let entries: Record<string, { id: string; category: string; severity: number }>;

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dashboard-'));
    vigil = await startConsole(path.join(dir, 'data'));
    oak = await vigil.createSchool('Oak Academy');
    elm = await vigil.createSchool('Elm Primary');
    const user = async (email: string, role: string, school: string): Promise<Account> =>
      JSON.parse(
        await vigil.cli('create-user', '--email', email, '--role', role, '--school', school, '--json'),
      ) as Account;
    dsl = await user('dsl@oak.sch.uk', 'dsl', oak.id);
    admin = await user('it@oak.sch.uk', 'school_admin', oak.id);
    otherDsl = await user('dsl@elm.sch.uk', 'dsl', elm.id);

    device = await enrol(vigil.url, oak.enrolmentToken, 'OAK-LAPTOP-07');
    const silent = await enrol(vigil.url, oak.enrolmentToken, 'OAK-LIBRARY-02');
    const served = await policy(vigil.url, device);
    await heartbeat(vigil.url, device, 'jsmith', served.policy.version);
    void silent; // enrolled, never heard from: "not reporting"
    entries = Object.fromEntries(
      ['kill myself', 'kys', 'weed'].map((phrase) => [phrase, entryIdOf(served.policy, phrase)]),
    );
    const seed = async (key: string, user: string, phrase: string, context: string, minutesAgo: number) => {
      const e = entries[phrase]!;
      ids[key] = await upload(vigil.url, device, 'OAK-LAPTOP-07', {
        user,
        phrase,
        context,
        minutesAgo,
        severity: e.severity,
        category: e.category,
        entryId: e.id,
      });
    };
    await seed('weed', 'tbrown', 'weed', 'anyone got weed for after school? meet by the gates', 300);
    await seed('kys', 'amiller', 'kys', 'honestly just kys nobody likes you in this class', 90);
    await seed('kys2', 'amiller', 'kys', 'i said kys and i meant it', 60);
    await seed('suicide', 'jsmith', 'kill myself', 'i cant do this anymore i want to kill myself tonight', 20);

    context = await browser(dir);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await vigil?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs a DSL in with password and TOTP and shows the inbox, newest first, severity by colour and label', async () => {
    await signIn(page, vigil.url, dsl, true);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const rows = page.locator('.capture-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(4);
    const first = rows.first();
    expect(await first.locator('.sev-label').textContent()).toContain('Immediate risk');
    expect(await first.locator('mark').textContent()).toBe('kill myself');
    expect(await first.textContent()).toContain('OAK-LAPTOP-07');
    expect(await first.locator('time').getAttribute('title')).toMatch(/\d{2}:\d{2}:\d{2} GMT/);
    await first
      .locator('.thumb img')
      .evaluate((img: Img) =>
        img.complete ? null : new Promise((resolve) => img.addEventListener('load', resolve, { once: true })),
      );
    expect(await first.locator('.thumb img').evaluate((img: Img) => img.naturalWidth)).toBe(320);
    await shot(page, '04-inbox');
  });

  it('shows a capture uploaded through the agent API live, without a reload', async () => {
    const e = entries['kill myself']!;
    ids.live = await upload(vigil.url, device, 'OAK-LAPTOP-07', {
      user: 'kwhite',
      phrase: 'kill myself',
      context: 'going to kill myself after school, nobody will notice',
      severity: e.severity,
      category: e.category,
      entryId: e.id,
    });
    const notice = page.locator('.live-notice');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('1 new capture, highest severity 5');
    await shot(page, '05-inbox-live-notice');
    await page.getByRole('button', { name: 'Show new captures' }).click();
    await page.locator(`[data-capture-id="${ids.live}"]`).waitFor();
    expect(await page.locator('.capture-row').first().getAttribute('data-capture-id')).toBe(ids.live);
  });

  it('opens a capture with its screenshot, marks it false positive and the phrase’s count moves', async () => {
    await page.locator(`[data-capture-id="${ids.kys2}"] .row-link`).click();
    await page.getByRole('heading', { name: 'kys', level: 1 }).waitFor();
    const img = page.getByRole('img', { name: /^Screenshot taken/ });
    await page.locator('.screenshot img[data-state="loaded"]').waitFor();
    expect(await img.evaluate((i: Img) => [i.naturalWidth, i.naturalHeight])).toEqual([1280, 800]);
    const fp = page.locator(`.fp-stats [data-entry="${entries.kys!.id}"] .fp-count`);
    expect(await fp.textContent()).toBe('0');
    expect(await page.locator('.context-full mark').textContent()).toBe('kys');
    expect(await page.locator('.timeline li').count()).toBe(1); // amiller's earlier capture
    await shot(page, '06-capture');
    await page.getByRole('button', { name: '200%' }).click();
    await shot(page, '07-capture-zoom');
    await page.getByRole('button', { name: '100%' }).click();

    await page.getByRole('group', { name: 'Set status' }).getByRole('button', { name: 'False positive' }).click();
    await page.getByText('Marked false positive.').waitFor();
    expect(await fp.textContent()).toBe('1');
    expect(await page.locator('.history li').first().textContent()).toContain('Unreviewed → False positive');
    await page.getByLabel('Add a note').fill('Song lyrics shared in class chat; spoke to the pupil.');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.locator('.history .note').first().waitFor();
    await shot(page, '08-capture-reviewed');

    // Subject access: everything held about amiller, downloaded as one JSON file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export everything held about this pupil' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^vigil-subject-access-amiller-\d{4}-\d\d-\d\d\.json$/);
    const held = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as {
      kind: string;
      pupil: string;
      captures: { id: string; notes: { note: string }[]; screenshot: { base64: string | null } }[];
      devices: { hostname: string }[];
    };
    expect(held.kind).toBe('vigil-subject-access');
    expect(held.pupil).toBe('amiller');
    expect(held.captures.map((c) => c.id).sort()).toEqual([ids.kys, ids.kys2].sort());
    const reviewed = held.captures.find((c) => c.id === ids.kys2)!;
    expect(reviewed.notes.map((n) => n.note)).toEqual(['Song lyrics shared in class chat; spoke to the pupil.']);
    expect(Buffer.from(reviewed.screenshot.base64 ?? '', 'base64').length).toBeGreaterThan(1000);
    expect(held.devices.map((d) => d.hostname)).toEqual(['OAK-LAPTOP-07']);
    await page.getByText(/^Downloaded vigil-subject-access-amiller/).waitFor();
  });

  it('filters and saved views narrow the inbox; keyboard triage reviews the selected row', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.locator('.capture-row').first().waitFor();
    await page.getByRole('button', { name: 'False positives' }).click();
    await page.waitForURL(/status=false_positive/);
    await until(async () => (await page.locator('.capture-row').count()) === 1, 'the one false positive');
    expect(await page.locator('.capture-row').first().getAttribute('data-capture-id')).toBe(ids.kys2);

    await page.getByRole('button', { name: 'All captures' }).click();
    await page.locator('summary', { hasText: 'Filters' }).click();
    await page.getByLabel('Severity from').selectOption('5');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/severityMin=5/);
    await until(async () => (await page.locator('.capture-row').count()) === 2, 'two severity-5 rows');
    const sevs = await page.locator('.capture-row .sev-num').allTextContents();
    expect(sevs).toEqual(['5', '5']);
    await shot(page, '09-inbox-filtered');

    // Keyboard: j moves to the second row, r marks it reviewed.
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    await page.getByText('1 capture marked reviewed.').waitFor();
    expect(await page.locator('.capture-row').nth(1).locator('.status').textContent()).toBe('Reviewed');
  });

  it('shows the overview, devices, summaries and lists pages', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Review backlog' }).waitFor();
    // 5 captures: one false positive, one reviewed, 3 still unreviewed.
    expect(await page.locator('.card-backlog .big').textContent()).toBe('3');
    await shot(page, '10-overview');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    const devices = await page.locator('tbody tr').allTextContents();
    expect(devices).toHaveLength(2);
    expect(devices.join('\n')).toContain('OAK-LIBRARY-02');
    expect(devices.find((d) => d.includes('OAK-LAPTOP-07'))).toContain('jsmith');
    await shot(page, '11-devices');

    // This week's summary, built now by the CLI (no SMTP configured: built and kept, not sent).
    await vigil.cli('send-summaries', '--school', oak.id, '--week', isoWeek(new Date()));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Summaries' }).click();
    await page.getByRole('heading', { name: 'Summaries', level: 1 }).waitFor();
    await page.getByText('Email is not configured.').waitFor();
    await page.getByRole('heading', { name: /^Week \d{4}-W\d\d:/ }).waitFor();
    expect(await page.locator('.summary .headline').textContent()).toMatch(/severity-5/);
    expect(await page.locator('.summary .interest li').first().textContent()).toContain('kill myself');
    await shot(page, '12-summaries');

    await page.getByRole('link', { name: dsl.email }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    await shot(page, '12b-account');
  });

  it('edits a list entry, publishes it with a changelog, and agents get a new policy and ETag', async () => {
    const before = await policy(vigil.url, device);
    expect(entryIdOf(before.policy, 'kys').severity).toBe(4);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keyword lists' }).click();
    await page.getByRole('heading', { name: 'Keyword lists', level: 1 }).waitFor();
    await page.getByLabel('Search phrases').fill('kys');
    const row = page.locator(`tr[data-entry-id="${entries.kys!.id}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(3).textContent()).toBe('1'); // the false positive marked above
    await shot(page, '13-lists');
    await row.getByLabel('Severity of kys').selectOption('5');
    await page.getByText('“kys” is now severity 5 in the draft.').waitFor();
    await page.getByText('The draft has changes that are not published yet.').waitFor();
    await page.getByLabel('Paste some text to see what the lists would match').fill('just kys lol');
    await page.getByRole('button', { name: 'Check text' }).click();
    await page.locator('.preview-text mark').waitFor();
    expect(await page.locator('.preview-text mark').textContent()).toBe('kys');
    await page.getByLabel('What changed (the changelog)').fill('kys raised to severity 5 after the Year 9 incident');
    await page.getByRole('button', { name: 'Publish to devices' }).click();
    await page.getByText(/^Published version 1\./).waitFor();
    await page.getByText('kys raised to severity 5 after the Year 9 incident').first().waitFor();
    await shot(page, '13b-lists-published');

    const after = await policy(vigil.url, device);
    expect(after.etag).not.toBe(before.etag);
    expect(after.policy.version).not.toBe(before.policy.version);
    expect(entryIdOf(after.policy, 'kys').severity).toBe(5);
  });

  it('works by keyboard alone: the inbox triage and the capture page, focus always visible, no traps', async () => {
    const unseen = (stops: FocusState[]) => stops.filter((s) => !s.visible || !s.onScreen).map((s) => s.label);
    const statusOf = (id: string) => page.locator(`[data-capture-id="${id}"] .status`).textContent();
    await page.goto(`${vigil.url}/inbox`);
    await page.locator('.capture-row').nth(4).waitFor();

    // Tab goes through the whole inbox and comes back round, every stop visibly focused.
    const inbox = await tabWalk(page);
    expect(inbox.cameBack).toBe(true);
    expect(inbox.stops[0]!.label).toBe('a "Skip to content"');
    expect(inbox.stops.map((s) => s.label)).toEqual(
      expect.arrayContaining(['a "Inbox"', 'a "kys"', 'summary "Filters"']),
    );
    expect(unseen(inbox.stops)).toEqual([]);

    // Triage without a mouse: skip to the content, j moves (focus follows), e escalates the current row.
    await page.goto(`${vigil.url}/inbox`);
    await page.locator('.capture-row').nth(4).waitFor();
    const rowIds = await page
      .locator('.capture-row')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { captureId: string } }).dataset.captureId));
    expect(rowIds.slice(0, 2)).toEqual([ids.live, ids.suicide]);
    await page.keyboard.press('Tab');
    expect((await focusState(page)).label).toBe('a "Skip to content"');
    await page.keyboard.press('Enter');
    expect((await focusState(page)).tag).toBe('main');
    await page.keyboard.press('j');
    const focused = await focusState(page);
    expect(focused).toMatchObject({ label: 'a "kill myself"', visible: true, onScreen: true });
    await page.keyboard.press('e');
    await page.getByText('1 capture marked escalated.').waitFor();
    expect(await statusOf(ids.suicide!)).toBe('Escalated');

    // x selects the current row; Tab into the next row's checkbox and Space selects it too; f acts on both.
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await tabTo(page, /^input/); // the following row's checkbox (the keys act on the row focus is in)
    await page.keyboard.press('Space');
    expect(await page.locator('.bulk-count').textContent()).toBe('2 selected');
    await page.keyboard.press('f');
    await page.getByText('2 captures marked false positive.').waitFor();
    expect(await statusOf(rowIds[2]!)).toBe('False positive');
    expect(await statusOf(rowIds[3]!)).toBe('False positive');

    // Back to the top with k and open it with Enter.
    for (let i = 0; i < 3; i++) await page.keyboard.press('k');
    expect((await focusState(page)).label).toBe('a "kill myself"');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/captures/${ids.live}$`));
    await page.locator('.screenshot img[data-state="loaded"]').waitFor();

    // The capture page: Tab goes through and comes back round, every stop visibly focused.
    const capture = await tabWalk(page);
    expect(capture.cameBack).toBe(true);
    expect(unseen(capture.stops)).toEqual([]);
    expect(capture.stops.map((s) => s.label)).toEqual(
      expect.arrayContaining(['button "200%"', 'button "Reviewed"', 'textarea "Add a note"']),
    );
    // Zoom and scroll the screenshot with keys, then review it with the keyboard.
    await tabTo(page, 'button "200%"');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect((await focusState(page)).label).toMatch(/^div/);
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    // The browser scrolls smoothly, after the key events return: give the region up to 10 s to move.
    const scrollLeft = () =>
      page.locator('.screenshot').evaluate((el) => (el as unknown as { scrollLeft: number }).scrollLeft);
    for (let i = 0; i < 40 && (await scrollLeft()) === 0; i++) await page.waitForTimeout(250);
    expect(await scrollLeft()).toBeGreaterThan(0);
    await tabTo(page, 'button "Reviewed"');
    await page.keyboard.press('Space');
    await page.getByText('Marked reviewed.').waitFor();
    await shot(page, '08b-capture-keyboard');
  });

  it('lets the school admin see devices with the enrolment token, people and settings, and the audit log', async () => {
    const adminContext = await browser(dir);
    try {
      const adminPage = adminContext.pages()[0] ?? (await adminContext.newPage());
      await signIn(adminPage, vigil.url, admin);
      await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
      await adminPage.getByRole('button', { name: 'Show token' }).click();
      expect(await adminPage.locator('code.token').textContent()).toBe(oak.enrolmentToken);
      await shot(adminPage, '14-devices-admin');
      await adminPage
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'People and settings' })
        .click();
      await adminPage.getByRole('heading', { name: 'People and settings', level: 1 }).waitFor();
      await adminPage.locator('table').last().locator('tbody tr').first().waitFor();
      expect(await adminPage.getByRole('heading', { name: 'Inbox' }).count()).toBe(0);
      await adminPage.waitForLoadState('networkidle');
      await shot(adminPage, '15-people');

      // The pupil directory: a bad file is refused with its line and changes nothing; a good one loads.
      const directory = adminPage.locator('section.pupil-directory');
      await directory.getByText('No pupils in the directory yet.').waitFor();
      const csv = (text: string, name: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
      const fileInput = directory.getByLabel('CSV file of pupils');
      await fileInput.setInputFiles(csv('login,name,year group\njsmith,John Smith,9\njsmith,Jo Smith,9\n', 'bad.csv'));
      await directory.getByRole('button', { name: 'Upload the directory' }).click();
      const refused = directory.getByRole('alert');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('bad.csv was not loaded: the directory is unchanged.');
      expect(await refused.textContent()).toContain('Line 3: the login "jsmith" is already on line 2');
      expect(await directory.locator('.pupil-count').textContent()).toBe('No pupils in the directory yet.');
      await shot(adminPage, '15b-pupil-directory-refused');
      await fileInput.setInputFiles(
        csv(
          'Name,Login,Year Group\r\nJohn Smith,OAK\\jsmith,Y9\r\nAmy Miller,amiller,10\r\nKim White,kwhite@oak.sch.uk,11\r\n',
          'pupils.csv',
        ),
      );
      await directory.getByRole('button', { name: 'Upload the directory' }).click();
      await directory.getByText('Loaded 3 pupils from pupils.csv (the directory had 0).').waitFor();
      expect(await refused.count()).toBe(0);
      await directory.getByLabel('Search pupils').fill('year 1');
      await until(async () => (await directory.locator('tbody tr').count()) === 2, 'two pupils in years 10 and 11');
      expect(await directory.locator('tbody tr').allTextContents()).toEqual([
        'amillerAmy MillerYear 10',
        'kwhite@oak.sch.ukKim WhiteYear 11',
      ]);
      await shot(adminPage, '15c-pupil-directory');
      // Stored: a fresh page shows the same directory.
      await adminPage.reload();
      await adminPage.locator('section.pupil-directory .pupil-count').getByText('3 pupils in the directory.').waitFor();
    } finally {
      await adminContext.close();
    }
  });

  it('a person added in the dashboard sets up two-step sign-in from the QR page at first sign-in', async () => {
    const adminContext = await browser(dir);
    let oneTimePassword: string;
    try {
      const adminPage = adminContext.pages()[0] ?? (await adminContext.newPage());
      await signIn(adminPage, vigil.url, admin);
      await adminPage
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'People and settings' })
        .click();
      const add = adminPage.locator('form.add-form');
      await add.getByLabel('Email address').fill('deputy@oak.sch.uk');
      await add.getByLabel('DSL', { exact: true }).uncheck();
      await add.getByLabel('Deputy DSL').check();
      await add.getByRole('button', { name: 'Add person' }).click();
      oneTimePassword = (await adminPage.locator('.notice code.secret').textContent()) ?? '';
      expect(oneTimePassword.length).toBeGreaterThan(10);
    } finally {
      await adminContext.close();
    }

    const deputyContext = await browser(dir);
    try {
      const deputy = deputyContext.pages()[0] ?? (await deputyContext.newPage());
      await deputy.goto(vigil.url);
      await deputy.getByLabel('Email address').fill('deputy@oak.sch.uk');
      await deputy.getByLabel('Password').fill(oneTimePassword);
      await deputy.getByRole('button', { name: 'Sign in' }).click();
      await deputy.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
      const qr = deputy.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      expect(await qr.evaluate((i: Img) => i.naturalWidth)).toBeGreaterThan(100);
      await shot(deputy, '17-totp-setup');
      const secret = (await deputy.locator('code.secret').textContent()) ?? '';
      await deputy.getByLabel('Six-digit code').fill(authenticator.generate(secret));
      await deputy.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
      const codes = deputy.getByRole('list', { name: 'Recovery codes' });
      await codes.waitFor();
      expect(await codes.locator('li').count()).toBe(10);
      await shot(deputy, '18-recovery-codes');
      await deputy.getByRole('button', { name: 'I have saved them: continue' }).click();
      await deputy.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await deputy.getByLabel('Current (one-time) password').fill(oneTimePassword);
      await deputy.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await deputy.getByLabel('New password again').fill(NEW_PASSWORD);
      await deputy.getByRole('button', { name: 'Save password' }).click();
      await deputy.getByRole('heading', { name: 'Inbox' }).waitFor();
      await deputy.locator('.capture-row').first().waitFor();
      // The pupil directory the admin loaded labels the pupils (kwhite's laptop reports "kwhite").
      const live = deputy.locator(`[data-capture-id="${ids.live!}"]`);
      await live.locator('.pupil-name').getByText('Kim White, Year 11').waitFor();
      await shot(deputy, '19-inbox-pupil-names');
    } finally {
      await deputyContext.close();
    }
  });

  it('ran the DSL’s whole session under the strict CSP without a script error or a blocked resource', () => {
    expect(problems).toEqual([]);
  });

  it('keeps a user of another school out of the capture’s URL', async () => {
    const otherContext = await browser(dir);
    try {
      const other = otherContext.pages()[0] ?? (await otherContext.newPage());
      await signIn(other, vigil.url, otherDsl);
      await other.goto(`${vigil.url}/captures/${ids.suicide}`);
      await other.getByRole('heading', { name: 'Capture not found' }).waitFor();
      expect(await other.locator('.screenshot img').count()).toBe(0);
      expect(await other.getByText('kill myself').count()).toBe(0);
      await shot(other, '16-other-school-capture');
      // Nor its screenshot, with the same signed-in session.
      expect((await otherContext.request.get(`${vigil.url}/api/captures/${ids.suicide}/screenshot`)).status()).toBe(
        404,
      );
      // Their own inbox is empty of Oak's captures.
      await other.getByRole('link', { name: 'Back to the inbox' }).click();
      await other.getByText('No captures yet.').waitFor();
    } finally {
      await otherContext.close();
    }
  });

  it('meets WCAG 2.1 AA on every page, as axe-core measures it', () => {
    const pages = [...audits.keys()];
    // Sign-in, inbox, capture, overview, devices, lists, summaries, people, account, TOTP set-up.
    for (const name of [
      '01-sign-in',
      '02-sign-in-code',
      '03-change-password',
      '04-inbox',
      '06-capture',
      '10-overview',
      '11-devices',
      '12-summaries',
      '12b-account',
      '13-lists',
      '15-people',
      '17-totp-setup',
      '18-recovery-codes',
    ]) {
      expect(pages).toContain(name);
    }
    const failures = [...audits.values()].flat();
    if (failures.length > 0)
      throw new Error(`axe-core found ${failures.length} WCAG A/AA violations:\n${failures.join('\n')}`);
  });
});
