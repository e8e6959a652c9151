import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Repositories } from '../plugins/storage.plugin';
import type { School } from '../repositories/schools.repository';
import type { Role } from '../repositories/users.repository';

/** A one-time password people can read aloud and type: 4 groups of 5 from an unambiguous alphabet. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

export const hashPassword = (password: string): Promise<string> => hash(password);

export interface FirstRun {
  school: School;
  adminEmail: string;
  adminPassword: string;
}

/**
 * On a console's first start (no school, no user), make the first school and its first admin so
 * the people installing it can sign in and enrol devices. Returns undefined on every later start.
 */
export async function bootstrapFirstRun(
  repos: Repositories,
  now: Date,
  options: { schoolName: string; adminEmail: string },
): Promise<FirstRun | undefined> {
  if (repos.schools.count() > 0 || repos.users.count() > 0) return undefined;
  const school = repos.schools.create(options.schoolName, now);
  const adminPassword = oneTimePassword();
  const grants: { role: Role; organisationId: string }[] = [
    { role: 'org_admin', organisationId: school.organisationId },
  ];
  repos.users.create(options.adminEmail, await hashPassword(adminPassword), grants, now);
  return { school, adminEmail: options.adminEmail, adminPassword };
}
