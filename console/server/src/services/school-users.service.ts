import type { Repositories } from '../plugins/storage.plugin';
import type { SecretBox } from './secret-box';
import type { Access } from '../auth/access';
import { SCHOOL_ADMINS } from '../auth/access';
import { ConsoleError } from '../errors';
import type { Grant, Role, User } from '../repositories/users.repository';
import type { School } from '../repositories/schools.repository';
import { auditUser, createAccount, resetPassword, type Actor } from './user-accounts.service';

/** A user as an admin of one school sees them. */
export interface SchoolUserView {
  id: string;
  email: string;
  displayName: string | null;
  roles: Role[];
  organisationRoles: Role[];
  totpEnrolled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
}

/** Only an organisation admin grants (or takes away) a role held for the whole organisation. */
const ORGANISATION_ROLES: readonly Role[] = ['org_admin'];

/**
 * Users and roles of one school, for its school_admins and its organisation's org_admins.
 * Rules: a school_admin cannot grant or remove org_admin; changes to the account itself (disable,
 * rename, reset the password) need an admin of every school the person has a role in, so an admin
 * of one school cannot take over someone who also works at another; nobody removes their own
 * admin role or disables themselves. Every change is audited.
 */
export class SchoolUsersService {
  constructor(
    private readonly repos: Repositories,
    private readonly secrets: SecretBox,
    private readonly school: School,
    private readonly access: Access,
    private readonly actor: Actor,
  ) {}

  private schoolGrants(grants: readonly Grant[]): Grant[] {
    return grants.filter((g) => g.schoolId === this.school.id);
  }

  private orgGrants(grants: readonly Grant[]): Grant[] {
    return grants.filter((g) => g.schoolId === null && g.organisationId === this.school.organisationId);
  }

  async view(user: User): Promise<SchoolUserView> {
    const grants = await this.repos.users.grantsOf(user.id);
    const organisationRoles = [...new Set(this.orgGrants(grants).map((g) => g.role))].sort();
    const roles = [...new Set([...this.schoolGrants(grants).map((g) => g.role), ...organisationRoles])].sort();
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      roles,
      organisationRoles,
      totpEnrolled: user.totpSecretSealed !== null,
      mustChangePassword: user.mustChangePassword,
      disabled: user.disabledAt !== null,
      lockedUntil: user.lockedUntil,
      lastSignInAt: user.lastSignInAt,
    };
  }

  async list(): Promise<SchoolUserView[]> {
    const users = await this.repos.users.listForSchool(this.school.id, this.school.organisationId);
    const views: SchoolUserView[] = [];
    for (const u of users) views.push(await this.view(u));
    return views;
  }

  /** A member of this school (a role here or organisation-wide), else 404. */
  async member(userId: string): Promise<User> {
    const user = await this.repos.users.byId(userId);
    const grants = user ? await this.repos.users.grantsOf(user.id) : [];
    if (!user || (this.schoolGrants(grants).length === 0 && this.orgGrants(grants).length === 0)) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such user at this school');
    }
    return user;
  }

  private get isOrgAdmin(): boolean {
    return this.access.organisationsAdministered().includes(this.school.organisationId);
  }

  private requireOrgAdminFor(roles: readonly Role[]): void {
    if (roles.some((r) => ORGANISATION_ROLES.includes(r)) && !this.isOrgAdmin) {
      throw new ConsoleError('CONSOLE_ERR_FORBIDDEN', 'Only an organisation admin can grant or remove org_admin');
    }
  }

  /** Account-wide changes need an admin of everywhere the person has a role. */
  private async requireWholeAccount(user: User): Promise<void> {
    const administered = new Set(this.access.organisationsAdministered());
    const outside = (await this.repos.users.grantsOf(user.id)).some((g) =>
      g.schoolId !== null
        ? !this.access.can(SCHOOL_ADMINS, g.schoolId)
        : g.organisationId !== null && !administered.has(g.organisationId),
    );
    if (outside) {
      throw new ConsoleError(
        'CONSOLE_ERR_FORBIDDEN',
        'This person also has roles you do not manage: ask an admin of their organisation',
      );
    }
  }

  private async grantHere(userId: string, role: Role): Promise<void> {
    await this.repos.users.addGrant(
      userId,
      ORGANISATION_ROLES.includes(role)
        ? { role, organisationId: this.school.organisationId }
        : { role, schoolId: this.school.id },
    );
  }

  async create(
    input: { email: string; displayName?: string; roles: Role[] },
    now: Date,
  ): Promise<{ user: SchoolUserView; oneTimePassword: string | null }> {
    this.requireOrgAdminFor(input.roles);
    const email = input.email.trim().toLowerCase();
    const existing = await this.repos.users.byEmail(email);
    if (existing) {
      // An account of another organisation (trust, local authority) is not joined to this one.
      let elsewhere = false;
      for (const g of await this.repos.users.grantsOf(existing.id)) {
        const organisationId = g.organisationId ?? (await this.repos.schools.byId(g.schoolId!))?.organisationId;
        if (organisationId !== this.school.organisationId) elsewhere = true;
      }
      if (elsewhere) {
        throw new ConsoleError(
          'CONSOLE_ERR_USER_CONFLICT',
          'This email belongs to an account of another organisation: use another email address',
        );
      }
      const before = (await this.view(existing)).roles;
      for (const role of input.roles) await this.grantHere(existing.id, role);
      const after = (await this.view(existing)).roles;
      await auditUser(this.repos, 'user.roles_update', this.actor, existing, now, {
        schoolId: this.school.id,
        details: { from: before.join(','), to: after.join(','), existingAccount: true },
      });
      return { user: await this.view((await this.repos.users.byId(existing.id))!), oneTimePassword: null };
    }
    const grants = input.roles.map((role) =>
      ORGANISATION_ROLES.includes(role)
        ? { role, organisationId: this.school.organisationId }
        : { role, schoolId: this.school.id },
    );
    // School roles first, so the audit row of the new account names this school.
    grants.sort((a, b) => Number('organisationId' in a) - Number('organisationId' in b));
    const account = await createAccount(
      this.repos,
      this.secrets,
      { email, grants, displayName: input.displayName ?? null, issueTotp: false },
      now,
      this.actor,
    );
    return { user: await this.view(account.user), oneTimePassword: account.password };
  }

  async update(
    userId: string,
    patch: { roles?: Role[]; disabled?: boolean; displayName?: string | null },
    now: Date,
  ): Promise<SchoolUserView> {
    const user = await this.member(userId);
    const self = user.id === this.actor.userId;
    if (patch.disabled !== undefined || patch.displayName !== undefined) await this.requireWholeAccount(user);
    if (patch.roles !== undefined) {
      const current = await this.view(user);
      const wanted = new Set(patch.roles);
      const added = patch.roles.filter((r) => !current.roles.includes(r));
      const removed = current.roles.filter((r) => !wanted.has(r));
      this.requireOrgAdminFor([...added, ...removed]);
      if (self && removed.some((r) => SCHOOL_ADMINS.includes(r))) {
        throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'You cannot remove your own admin role');
      }
      if (added.length > 0 || removed.length > 0) {
        for (const role of added) await this.grantHere(user.id, role);
        for (const role of removed) {
          if (current.organisationRoles.includes(role)) {
            await this.repos.users.removeOrganisationGrant(user.id, this.school.organisationId, role);
          } else {
            await this.repos.users.removeSchoolGrant(user.id, this.school.id, role);
          }
        }
        await auditUser(this.repos, 'user.roles_update', this.actor, user, now, {
          schoolId: this.school.id,
          details: { from: current.roles.join(','), to: [...wanted].sort().join(',') },
        });
      }
    }
    if (patch.displayName !== undefined && patch.displayName !== user.displayName) {
      await this.repos.users.setDisplayName(user.id, patch.displayName);
      await auditUser(this.repos, 'user.update', this.actor, user, now, {
        schoolId: this.school.id,
        details: { field: 'displayName' },
      });
    }
    if (patch.disabled !== undefined && patch.disabled !== (user.disabledAt !== null)) {
      if (self && patch.disabled) {
        throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'You cannot disable your own account');
      }
      await this.repos.users.setDisabled(user.id, patch.disabled ? now : null);
      const ended = patch.disabled ? await this.repos.sessions.deleteForUser(user.id) : 0;
      await auditUser(this.repos, patch.disabled ? 'user.disable' : 'user.enable', this.actor, user, now, {
        schoolId: this.school.id,
        details: patch.disabled ? { sessionsEnded: ended } : undefined,
      });
    }
    return this.view((await this.repos.users.byId(user.id))!);
  }

  async resetPassword(userId: string, resetTotp: boolean, now: Date): Promise<{ oneTimePassword: string }> {
    const user = await this.member(userId);
    await this.requireWholeAccount(user);
    if (user.id === this.actor.userId) {
      throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'Change your own password from your account instead');
    }
    const result = await resetPassword(
      this.repos,
      this.secrets,
      user,
      now,
      { clearTotp: resetTotp, issueTotp: false, schoolId: this.school.id },
      this.actor,
    );
    return { oneTimePassword: result.password };
  }

  /** Takes away the person's roles at this school (organisation-wide roles stay; see PATCH). */
  async remove(userId: string, now: Date): Promise<void> {
    const user = await this.member(userId);
    if (user.id === this.actor.userId) {
      throw new ConsoleError('CONSOLE_ERR_USER_CONFLICT', 'You cannot remove yourself from the school');
    }
    const here = this.schoolGrants(await this.repos.users.grantsOf(user.id));
    if (here.length === 0) {
      throw new ConsoleError(
        'CONSOLE_ERR_USER_CONFLICT',
        'This person has only organisation-wide roles: an organisation admin changes those',
      );
    }
    for (const g of here) await this.repos.users.removeSchoolGrant(user.id, this.school.id, g.role);
    const left = (await this.repos.users.grantsOf(user.id)).length;
    const ended = left === 0 ? await this.repos.sessions.deleteForUser(user.id) : 0;
    await auditUser(this.repos, 'user.remove', this.actor, user, now, {
      schoolId: this.school.id,
      details: { roles: here.map((g) => g.role).join(','), rolesLeftElsewhere: left, sessionsEnded: ended },
    });
  }
}
