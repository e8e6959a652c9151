import type { Db } from '../db/database';
import { newId, newSecret } from '../ids';

export interface School {
  id: string;
  organisationId: string;
  name: string;
  enrolmentToken: string;
  createdAt: string;
}

interface SchoolRow {
  id: string;
  organisation_id: string;
  name: string;
  enrolment_token: string;
  created_at: string;
}

const toSchool = (r: SchoolRow): School => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  enrolmentToken: r.enrolment_token,
  createdAt: r.created_at,
});

export class SchoolsRepository {
  constructor(private readonly db: Db) {}

  /** The organisation schools belong to when nobody has made one: the single-school install. */
  defaultOrganisationId(now: Date): string {
    const row = this.db.prepare('SELECT id FROM organisations ORDER BY created_at LIMIT 1').get() as
      { id: string } | undefined;
    if (row) return row.id;
    const id = newId();
    this.db
      .prepare('INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)')
      .run(id, 'Default organisation', now.toISOString());
    return id;
  }

  create(name: string, now: Date, organisationId?: string): School {
    return this.db.transaction(() => {
      const school: School = {
        id: newId(),
        organisationId: organisationId ?? this.defaultOrganisationId(now),
        name,
        enrolmentToken: `enrol_${newSecret(18)}`,
        createdAt: now.toISOString(),
      };
      this.db
        .prepare('INSERT INTO schools (id, organisation_id, name, enrolment_token, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(school.id, school.organisationId, school.name, school.enrolmentToken, school.createdAt);
      return school;
    })();
  }

  byId(id: string): School | undefined {
    const r = this.db.prepare('SELECT * FROM schools WHERE id = ?').get(id) as SchoolRow | undefined;
    return r && toSchool(r);
  }

  byEnrolmentToken(token: string): School | undefined {
    const r = this.db.prepare('SELECT * FROM schools WHERE enrolment_token = ?').get(token) as SchoolRow | undefined;
    return r && toSchool(r);
  }

  list(): School[] {
    return (this.db.prepare('SELECT * FROM schools ORDER BY created_at').all() as SchoolRow[]).map(toSchool);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM schools').get() as { n: number }).n;
  }

  idsOfOrganisations(organisationIds: readonly string[]): string[] {
    if (organisationIds.length === 0) return [];
    return (
      this.db
        .prepare(`SELECT id FROM schools WHERE organisation_id IN (${organisationIds.map(() => '?').join(', ')})`)
        .all(...organisationIds) as { id: string }[]
    ).map((r) => r.id);
  }
}
