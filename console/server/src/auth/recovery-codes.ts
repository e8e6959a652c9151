import { createHash, randomBytes } from 'node:crypto';

/** How many recovery codes a user gets at a time. */
export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Ten single-use codes of 10 characters from an unambiguous 31-letter alphabet (about 50 bits
 * each), written `xxxxx-xxxxx`. Only their hashes are stored. A plain salted SHA-256 is enough for
 * random codes of this strength (argon2 would make a sign-in try up to ten slow hashes); guessing
 * online is stopped by the sign-in lockout.
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from(randomBytes(10), (b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Spaces, dashes and case do not matter when a code is typed back. */
export const normaliseRecoveryCode = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The stored form: SHA-256 salted with the user's id, so equal codes of two users differ. */
export const hashRecoveryCode = (userId: string, code: string): string =>
  createHash('sha256')
    .update(`vigil-recovery:${userId}:${normaliseRecoveryCode(code)}`, 'utf8')
    .digest('hex');
