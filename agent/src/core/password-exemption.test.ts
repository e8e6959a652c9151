import { isExempt, isPasswordPrompt, isSignInPage } from './password-exemption';
import type { WindowInfo } from './ports';

const w = (title: string, app = 'Firefox', url: string | null = null): WindowInfo => ({ app, title, url });

describe('password exemption', () => {
  it.each([
    ['Enter password', 'xterm'],
    ['Password:', 'XTerm'],
    ['Change your passcode', 'Settings'],
    ['Unlock private key — passphrase', 'gcr-prompter'],
    ['Passwort eingeben', 'Firefox'],
    ['Saisissez votre mot de passe', 'Firefox'],
    ['Enter PIN', 'Windows Security'],
    ['Authentication Required', 'Dialog'],
    ['Untitled', 'pinentry-gtk-2'],
    ['Vault', 'KeePassXC'],
    ['Vault', '1Password'],
  ])('"%s" in %s is a password prompt', (title, app) => {
    expect(isPasswordPrompt(w(title, app))).toBe(true);
    expect(isExempt('typed', w(title, app))).toBe(true);
    expect(isExempt('screen', w(title, app))).toBe(true);
    expect(isExempt('clipboard', w(title, app))).toBe(true);
  });

  it.each([
    ['Pinned tabs - Pinterest'],
    ['how to kill myself - Google Search'],
    ['Passing the ball - PE lesson'],
    ['Spin the wheel'],
    ['pin'],
    ['Homework'],
  ])('"%s" is not a password prompt', (title) => {
    expect(isPasswordPrompt(w(title))).toBe(false);
    expect(isExempt('typed', w(title))).toBe(false);
  });

  it.each([
    [w('Sign in - Google Accounts')],
    [w('Log in to Instagram')],
    [w('Login | School portal')],
    [w('Welcome', 'Firefox', 'https://accounts.example.com/signin/v2')],
    [w('Microsoft', 'Edge', 'https://login.example.com/oauth2/authorize?x=1')],
  ])('%o is a sign-in page: keys are exempt, the screen is not', (window) => {
    expect(isSignInPage(window)).toBe(true);
    expect(isExempt('typed', window)).toBe(true);
    expect(isExempt('screen', window)).toBe(false);
  });

  it.each([
    [w('Blogging in the classroom')],
    [w('Sign language basics')],
    [w('x', 'Firefox', 'https://example.com/blog/login-tips-are-here')],
  ])('%o is not a sign-in page', (window) => {
    expect(isSignInPage(window)).toBe(window.url !== null);
  });

  it.each(['title', 'url', 'report', 'test'] as const)(
    '%s text is never exempt (a title asking for a password holds none)',
    (source) => {
      expect(isExempt(source, w('Enter password'))).toBe(false);
    },
  );

  it('nothing is exempt when the window is unknown', () => {
    expect(isExempt('typed', null)).toBe(false);
  });
});
