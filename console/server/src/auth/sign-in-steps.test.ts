import type { User } from '../repositories/users.repository';
import { pendingStep } from './sign-in-steps';

const user = (over: Partial<User> = {}): User => ({
  id: 'u1',
  email: 'dsl@oak.sch.uk',
  passwordHash: 'x',
  mustChangePassword: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  totpSecretSealed: null,
  failedLogins: 0,
  lockedUntil: null,
  displayName: null,
  disabledAt: null,
  lastSignInAt: null,
  totpPendingSealed: null,
  ...over,
});
const dsl = [{ role: 'dsl' as const, schoolId: 's1', organisationId: null }];
const admin = [{ role: 'school_admin' as const, schoolId: 's1', organisationId: null }];

describe('first sign-in steps', () => {
  it('asks for the authenticator first, then the password, for a password session', () => {
    expect(pendingStep(user(), dsl)).toBe('CONSOLE_ERR_TOTP_SETUP_REQUIRED');
    expect(pendingStep(user({ totpSecretSealed: 'v1:x' }), dsl)).toBe('CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED');
    expect(pendingStep(user({ totpSecretSealed: 'v1:x', mustChangePassword: false }), dsl)).toBeNull();
    expect(pendingStep(user(), admin)).toBe('CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED');
    expect(pendingStep(user({ mustChangePassword: false }), admin)).toBeNull();
  });

  it('owes nothing on a session of another login method (the identity provider did the second factor)', () => {
    expect(pendingStep(user(), dsl, 'entra-id')).toBeNull();
  });
});
