import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';

/** A one-time password people can read aloud and type: 4 groups of 5 from an unambiguous alphabet. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

export const hashPassword = (password: string): Promise<string> => hash(password);

/** The shortest password a user may choose (a one-time password is longer). */
export const MIN_PASSWORD_LENGTH = 12;
