/**
 * The rules every window of the shell follows: isolated, sandboxed, no Node in the page, one
 * preload, a strict content security policy, no navigation and no new windows. Plain data and
 * predicates, so that they are tested in Node; the adapter applies them to each BrowserWindow.
 */

/** Pages come from the app's own scheme, never from the network or the file system. */
export const APP_SCHEME = 'vigil';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** On every response of the app scheme (header) and in every page (meta), so both hold. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** The same policy for the page's meta tag, which cannot carry frame-ancestors (header only). */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: boolean;
  devTools: boolean;
}

export function secureWebPreferences(preload: string, options: { devTools: boolean }): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // The report box is spell-checked locally (en-GB); nothing leaves the machine.
    spellcheck: true,
    devTools: options.devTools,
  };
}

/** The pages the shell has. */
export const PAGES = ['report', 'privacy', 'support'] as const;
export type PageName = (typeof PAGES)[number];

export function pageUrl(page: PageName): string {
  return `${APP_ORIGIN}/${page}.html`;
}

/** A window may load only its own page: any other navigation (links, redirects, drops) is refused. */
export function isNavigationAllowed(url: string, page: PageName): boolean {
  return url === pageUrl(page);
}

/** What the app scheme serves: a known page or asset, or nothing. */
export function appAssetPath(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== 'app' || parsed.search || parsed.hash) return null;
  const name = parsed.pathname.replace(/^\//, '');
  return /^(report|privacy|support)\.html$|^page\.js$|^page\.css$/.test(name) ? name : null;
}
