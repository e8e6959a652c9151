import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@vigil/shared';

export const newId = (): string => uuidv7();

/** A random secret, URL-safe, with `bytes` bytes of entropy. */
export const newSecret = (bytes = 24): string => randomBytes(bytes).toString('base64url');
