import type { Grant, Role } from '../repositories/users.repository';
import type { Repositories } from '../plugins/storage.plugin';

/** Who may see captures: the DSLs, the head (read-only) and the organisation's admins. Viewers see none. */
export const CAPTURE_READERS: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl', 'head'];
/** Who may review (PATCH) captures and be assigned one. */
export const CAPTURE_REVIEWERS: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl'];
/** Who may see devices (and their live status). */
export const DEVICE_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl', 'head'];
/** Who may revoke devices, see and rotate enrolment tokens, and change a school's settings. */
export const SCHOOL_ADMINS: readonly Role[] = ['org_admin', 'school_admin'];
/** Who may export captures (CSV, PDF incident report). */
export const CAPTURE_EXPORTERS: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl', 'head'];
/** Who may read the audit log. */
export const AUDIT_READERS: readonly Role[] = ['org_admin', 'school_admin'];

/**
 * The request-scoped answer to "which schools may this user do X in": an `org_admin` grant covers
 * every school of the organisation; a school role covers that school only.
 */
export class Access {
  private readonly bySchool = new Map<string, Set<Role>>();

  constructor(
    readonly grants: readonly Grant[],
    orgSchools: ReadonlyMap<string, readonly string[]>,
  ) {
    for (const g of grants) {
      const schools = g.schoolId ? [g.schoolId] : g.organisationId ? (orgSchools.get(g.organisationId) ?? []) : [];
      for (const s of schools) {
        const roles = this.bySchool.get(s) ?? new Set<Role>();
        roles.add(g.role);
        this.bySchool.set(s, roles);
      }
    }
  }

  static async load(repos: Repositories, userId: string): Promise<Access> {
    const grants = await repos.users.grantsOf(userId);
    const orgs = [...new Set(grants.flatMap((g) => (g.organisationId && !g.schoolId ? [g.organisationId] : [])))];
    const orgSchools = new Map<string, readonly string[]>();
    for (const o of orgs) orgSchools.set(o, await repos.schools.idsOfOrganisations([o]));
    return new Access(grants, orgSchools);
  }

  hasAnyRole(roles: readonly Role[]): boolean {
    return this.grants.some((g) => roles.includes(g.role));
  }

  /** Schools where the user holds one of `roles`. */
  schoolsWith(roles: readonly Role[]): string[] {
    return [...this.bySchool].filter(([, held]) => roles.some((r) => held.has(r))).map(([s]) => s);
  }

  can(roles: readonly Role[], schoolId: string): boolean {
    const held = this.bySchool.get(schoolId);
    return held !== undefined && roles.some((r) => held.has(r));
  }

  rolesAt(schoolId: string): Role[] {
    return [...(this.bySchool.get(schoolId) ?? [])].sort();
  }

  /** Organisations where the user is org_admin (for org-wide audit rows). */
  organisationsAdministered(): string[] {
    return [
      ...new Set(this.grants.flatMap((g) => (g.role === 'org_admin' && g.organisationId ? [g.organisationId] : []))),
    ];
  }

  allSchoolIds(): string[] {
    return [...this.bySchool.keys()];
  }
}
