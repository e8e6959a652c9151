import type { CaptureSource } from '@vigil/shared';
import type { WindowInfo } from './ports';

/**
 * Passwords are never matched or captured. No platform tells a headless agent which field has
 * focus (X11 has no such thing), so the rule works on the focused window, which every platform
 * names:
 *
 * - A **password prompt** is a window whose title asks for a secret ("password", "passcode",
 *   "passphrase", "PIN" in capitals, the same words in the languages UK pupils use most) or whose
 *   app exists to ask for one (pinentry, ssh-askpass, polkit and keyring prompts, password
 *   managers). Nothing in it is read: not keys, not the screen, not the clipboard.
 * - A **sign-in page** ("Sign in", "Log in", "Login", "Log on", or a URL path like /login,
 *   /signin, /oauth) is where credentials are typed, but it also shows ordinary text: keys typed
 *   there are not matched; what it shows on screen still is.
 *
 * Titles and URLs themselves are always matched: a title that asks for a password holds none.
 */

const PASSWORD_WORDS =
  /\b(?:pass ?words?|pass ?codes?|pass ?phrases?|passwort|kennwort|mot de passe|contrase(?:ñ|n)a|senha|wachtwoord|has(?:ł|l)o|parola|security code|one-time code|verification code|authentication required|unlock (?:the )?(?:login )?keyring)\b/i;
/** "PIN" only in capitals, so that "pinned", "Pinterest" and "pin the tab" are not prompts. */
const PIN = /(?:^|[^\p{L}\p{N}])PINs?(?:$|[^\p{L}\p{N}])/u;
const PASSWORD_APPS =
  /pinentry|askpass|polkit|gcr-prompter|keyring|keepass|1password|bitwarden|lastpass|dashlane|credentialuibroker|securityagent|coreautha/i;

const SIGN_IN_WORDS = /\b(?:sign[ -]?in|sign[ -]?on|log[ -]?in|log[ -]?on)\b/i;
const SIGN_IN_URL =
  /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/(?:[^?#]*\/)?(?:login|log-in|signin|sign-in|sign_in|logon|sso|oauth2?|saml2?)\b/i;

export function isPasswordPrompt(window: WindowInfo): boolean {
  return PASSWORD_WORDS.test(window.title) || PIN.test(window.title) || PASSWORD_APPS.test(window.app);
}

export function isSignInPage(window: WindowInfo): boolean {
  return SIGN_IN_WORDS.test(window.title) || (window.url !== null && SIGN_IN_URL.test(window.url));
}

/** Whether text from `source`, seen in `window`, must be left alone. */
export function isExempt(source: CaptureSource, window: WindowInfo | null): boolean {
  if (window === null) return false;
  switch (source) {
    case 'typed':
      return isPasswordPrompt(window) || isSignInPage(window);
    case 'screen':
    case 'clipboard':
      return isPasswordPrompt(window);
    default:
      return false;
  }
}
