import { createAccount } from './user-accounts.service';
import type { Repositories } from '../plugins/storage.plugin';
import type { School } from '../repositories/schools.repository';
import type { SecretBox } from './secret-box';

export { hashPassword, oneTimePassword } from './passwords';

export interface FirstRun {
  school: School;
  adminEmail: string;
  adminPassword: string;
  adminTotpSecret: string;
}

/**
 * On a console's first start (no school, no user), make the first school and its first admin so
 * the people installing it can sign in and enrol devices. Returns undefined on every later start.
 */
export async function bootstrapFirstRun(
  repos: Repositories,
  now: Date,
  options: { schoolName: string; adminEmail: string },
  secrets: SecretBox,
): Promise<FirstRun | undefined> {
  if ((await repos.schools.count()) > 0 || (await repos.users.count()) > 0) return undefined;
  const school = await repos.schools.create(options.schoolName, now);
  const account = await createAccount(
    repos,
    secrets,
    { email: options.adminEmail, grants: [{ role: 'org_admin', organisationId: school.organisationId }] },
    now,
  );
  return {
    school,
    adminEmail: options.adminEmail,
    adminPassword: account.password,
    adminTotpSecret: account.totpSecret ?? '',
  };
}
