import { authenticator } from 'otplib';

// RFC 6238 defaults (SHA-1, 6 digits, 30 s) as every authenticator app expects; one step of drift allowed.
authenticator.options = { window: 1 };

export const newTotpSecret = (): string => authenticator.generateSecret(20);

export const totpCode = (secret: string): string => authenticator.generate(secret);

export function totpMatches(secret: string, code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  try {
    return authenticator.check(code, secret);
  } catch {
    return false;
  }
}

/** The otpauth:// URI an authenticator app reads (from a QR code, in the enrolment screen to come). */
export const totpUri = (email: string, secret: string): string => authenticator.keyuri(email, 'Vigil', secret);
