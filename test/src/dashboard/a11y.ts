import fs from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * Accessibility checks for the browser suite: axe-core's WCAG 2.0/2.1 A and AA rules on a page, and
 * what a keyboard-only user meets (where Tab goes, whether focus is visible, whether it comes back).
 * Everything runs through page.evaluate (the DevTools protocol), which the dashboard's strict CSP
 * (`script-src 'self'`, no eval) does not apply to, so the pages are audited as served.
 */

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now; answers its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\\n').slice(1).join(' ').trim() : '')),
    }));
  })()`)) as AxeViolation[];
  return result;
}

/** One line per violation: "color-contrast (serious): .sev-3 .sev-label — Element has insufficient …". */
export function describeViolations(page: string, violations: readonly AxeViolation[]): string[] {
  return violations.map((v) => `${page}: ${v.id} (${v.impact ?? 'n/a'}) ${v.help}\n    ${v.targets.join('\n    ')}`);
}

/** What has keyboard focus, and whether a sighted user can see it. */
export interface FocusState {
  /** e.g. `button "Reviewed"`, `a "Inbox"`, `body`. */
  label: string;
  tag: string;
  /** An outline of at least 2 px or a box-shadow ring, as :focus-visible draws it. */
  visible: boolean;
  /** Inside the page's visible area (not scrolled off or positioned off-screen). */
  onScreen: boolean;
}

export async function focusState(page: Page): Promise<FocusState> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { label: 'body', tag: 'body', visible: false, onScreen: false };
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
    const ring = cs.boxShadow && cs.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    const label = el.labels && el.labels.length > 0 ? el.labels[0].textContent : '';
    const name = (el.getAttribute('aria-label') || label || el.textContent || el.getAttribute('name') || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return {
      label: el.tagName.toLowerCase() + (name ? ' "' + name + '"' : ''),
      tag: el.tagName.toLowerCase(),
      visible: Boolean(outline || ring),
      onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    };
  })()`)) as FocusState;
}

/**
 * Presses Tab from the top of the page until focus comes back round to where it started (the
 * browser's own UI counts as "round": focus leaves the document), at most `limit` times. Answers
 * every stop. A trap shows as the walk never returning; an invisible focus as a stop with
 * visible=false.
 */
export async function tabWalk(page: Page, limit = 200): Promise<{ stops: FocusState[]; cameBack: boolean }> {
  await page.evaluate(
    `(() => { document.activeElement && document.activeElement.blur && document.activeElement.blur(); window.scrollTo(0, 0); })()`,
  );
  const stops: FocusState[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const state = await focusState(page);
    if (state.tag === 'body') return { stops, cameBack: true };
    if (stops.length > 0 && state.label === stops[0]!.label) return { stops, cameBack: true };
    stops.push(state);
  }
  return { stops, cameBack: false };
}

/** Presses Tab until focus is on the element `label` names (as focusState labels it); fails after `limit` presses. */
export async function tabTo(page: Page, label: string | RegExp, limit = 80): Promise<FocusState> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const state = await focusState(page);
    if (typeof label === 'string' ? state.label === label : label.test(state.label)) return state;
  }
  throw new Error(`Tab never reached ${String(label)}`);
}
