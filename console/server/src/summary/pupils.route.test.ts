import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import {
  createUser,
  rejectionOf,
  signIn,
  sqlAll,
  startHarness,
  type Harness,
  type SignedIn,
} from '../test-support/harness';
import { ImportPupilsError, importPupilsCommand } from './import-pupils.command';

const CSV = 'login,name,year group\njohn.smith,John Smith,9\nOAK\\akhan,Aisha Khan,Year 11\n';

/** `GET`/`PUT /api/schools/:id/pupils` and `import-pupils`: the pupil directory of one school. */
describe('the pupil directory', () => {
  let h: Harness;
  let oak: string;
  let elm: string;
  let dsl: SignedIn;
  let admin: SignedIn;
  let deputy: SignedIn;
  let head: SignedIn;
  let elmDsl: SignedIn;
  let elmAdmin: SignedIn;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' }, { summary: { mailer: null } });
    oak = (await h.app.repos.schools.create('Oak Academy', new Date())).id;
    elm = (await h.app.repos.schools.create('Elm Primary', new Date())).id;
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak }));
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak }));
    deputy = await signIn(h.app, await createUser(h.app, 'deputy@oak.sch.uk', 'deputy_dsl', { schoolId: oak }));
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak }));
    elmDsl = await signIn(h.app, await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: elm }));
    elmAdmin = await signIn(h.app, await createUser(h.app, 'it@elm.sch.uk', 'school_admin', { schoolId: elm }));
    // Six users with real password hashing: slow on a loaded machine.
  }, 60_000);
  afterAll(() => h.close());

  const url = (school: string) => `/api/schools/${school}/pupils`;
  const putCsv = (who: SignedIn, body: string, school = oak, type = 'text/csv') =>
    h.app.inject({ method: 'PUT', url: url(school), headers: { ...who.write, 'content-type': type }, payload: body });
  const get = (who: SignedIn, school = oak) => h.app.inject({ method: 'GET', url: url(school), headers: who.get });
  const audit = (action: string) =>
    sqlAll<{ outcome: string; actor_label: string; school_id: string; details_json: string }>(
      h.app,
      'SELECT outcome, actor_label, school_id, details_json FROM audit_log WHERE action = ? ORDER BY at, id',
      action,
    );

  it('a DSL uploads a CSV and reads the directory back; the upload is audited', async () => {
    const res = await putCsv(dsl, CSV);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      schoolId: oak,
      count: 2,
      pupils: [
        { login: 'OAK\\akhan', name: 'Aisha Khan', yearGroup: 'Year 11' },
        { login: 'john.smith', name: 'John Smith', yearGroup: 'Year 9' },
      ],
    });
    const read = await get(deputy);
    expect(read.statusCode).toBe(200);
    expect(read.json().count).toBe(2);
    expect((await audit('pupils.import')).at(-1)).toMatchObject({
      outcome: 'success',
      actor_label: 'dsl@oak.sch.uk',
      school_id: oak,
    });
    expect(JSON.parse((await audit('pupils.import')).at(-1)!.details_json)).toEqual({
      format: 'csv',
      before: 0,
      after: 2,
    });
    expect((await audit('pupils.view')).at(-1)).toMatchObject({ actor_label: 'deputy@oak.sch.uk', school_id: oak });
    // The audit log keeps counts, never the names.
    expect(JSON.stringify(await audit('pupils.import'))).not.toContain('Aisha');
  });

  it('a school admin replaces the whole directory with a JSON list (text/csv with a charset works too)', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: url(oak),
      headers: admin.write,
      payload: [
        { login: 'b.jones', name: 'Ben Jones', yearGroup: '8' },
        { login: 'c.ng', name: 'Chi Ng' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect((await get(dsl)).json().pupils).toEqual([
      { login: 'b.jones', name: 'Ben Jones', yearGroup: 'Year 8' },
      { login: 'c.ng', name: 'Chi Ng', yearGroup: null },
    ]);
    expect((await putCsv(dsl, CSV, oak, 'text/csv; charset=utf-8')).statusCode).toBe(200);
    expect((await putCsv(dsl, CSV, oak, 'application/vnd.ms-excel')).statusCode).toBe(200);
    expect((await get(dsl)).json().count).toBe(2);
  });

  it('refuses a bad CSV with the line number and keeps the directory as it was', async () => {
    const before = (await get(dsl)).json();
    const res = await putCsv(dsl, `${CSV}c.ng,Chi Ng,7\nd.patel\ne.ali,Ed Ali,10\n`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'CONSOLE_ERR_VALIDATION',
      message: 'The pupil directory was not changed: line 5: expected 3 fields, found 1',
    });
    const dup = await putCsv(dsl, `${CSV}JOHN.SMITH,Jon Smyth,9\n`);
    expect(dup.statusCode).toBe(400);
    expect(dup.json().message).toContain('line 4: the login "JOHN.SMITH" is already on line 2');
    // Latin-1 bytes from an older Excel "CSV" (é as 0xE9): refused, rather than garbled names stored.
    const latin1 = await putCsv(
      dsl,
      Buffer.from('login,name\nr.bele,Ren\xe9e Bel\xe9\n', 'latin1') as unknown as string,
    );
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().message).toContain('line 2: the file is not UTF-8 text');
    const badJson = await h.app.inject({
      method: 'PUT',
      url: url(oak),
      headers: dsl.write,
      payload: [{ login: 'x' }],
    });
    expect(badJson.statusCode).toBe(400);
    expect((await get(dsl)).json()).toEqual(before);
    expect((await audit('pupils.import')).at(-1)).toMatchObject({ outcome: 'failure' });
  });

  it('replaces in one transaction: a write that fails half-way leaves the old directory', async () => {
    const before = await h.app.pupilDirectory.list(oak);
    expect(before.length).toBeGreaterThan(0);
    // Two rows with one login key get past nothing but the table's primary key: the second insert fails.
    const twice = { login: 'z.zed', name: 'Zed Zed', yearGroup: null };
    expect(
      await rejectionOf(h.app.pupilDirectory.replace(oak, [twice, { ...twice, login: 'Z.ZED' }], new Date())),
    ).toMatch(/unique|duplicate/i);
    expect(await h.app.pupilDirectory.list(oak)).toEqual(before);
  });

  it('refuses other content types', async () => {
    const res = await putCsv(dsl, '<pupils/>', oak, 'application/xml');
    expect(res.statusCode).toBe(415);
  });

  it("keeps schools apart: another school's staff get 404, roles that may not load it 403", async () => {
    for (const who of [elmDsl, elmAdmin]) {
      expect((await get(who)).statusCode).toBe(404);
      expect((await putCsv(who, 'login,name\nx,Y\n')).statusCode).toBe(404);
    }
    expect((await get(head)).statusCode).toBe(403);
    expect((await putCsv(head, CSV)).statusCode).toBe(403);
    expect((await putCsv(deputy, CSV)).statusCode).toBe(403);
    expect((await get(dsl)).json().count).toBe(2);
    // Elm's own directory is its own.
    expect((await putCsv(elmDsl, 'login,name\nz.ali,Zara Ali\n', elm)).statusCode).toBe(200);
    expect((await get(elmDsl, elm)).json().pupils).toEqual([{ login: 'z.ali', name: 'Zara Ali', yearGroup: null }]);
    expect((await get(dsl)).json().pupils.map((p: { login: string }) => p.login)).not.toContain('z.ali');
  });

  it('documents both upload forms in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, { put?: { requestBody?: { content?: Record<string, unknown> } } }>;
    }>();
    expect(Object.keys(doc.paths['/api/schools/{id}/pupils']?.put?.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['application/json', 'text/csv']),
    );
  });

  it('needs a session and the CSRF header', async () => {
    expect((await h.app.inject({ method: 'GET', url: url(oak) })).statusCode).toBe(401);
    const noCsrf = await h.app.inject({
      method: 'PUT',
      url: url(oak),
      headers: { ...dsl.get, 'content-type': 'text/csv' },
      payload: CSV,
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  describe('import-pupils (the CLI command)', () => {
    const config = () =>
      loadConfig({ ...h.databaseEnv, VIGIL_DATA_DIR: h.dataDir, VIGIL_LOG_LEVEL: 'silent' }, h.dataDir);
    const file = (name: string, text: string) => {
      const f = path.join(h.dataDir, name);
      fs.writeFileSync(f, text);
      return f;
    };

    it('replaces the directory from a file and audits it as the CLI', async () => {
      const f = file('pupils.csv', 'login,name,year\nf.hill,Fay Hill,12\ng.wu,Gus Wu,12\nh.ito,Hana Ito,13\n');
      expect(await importPupilsCommand(config(), { schoolId: oak, csvPath: f })).toEqual({
        schoolId: oak,
        before: 2,
        count: 3,
      });
      expect((await get(dsl)).json().count).toBe(3);
      expect((await audit('pupils.import')).at(-1)).toMatchObject({
        outcome: 'success',
        actor_label: 'cli',
        school_id: oak,
      });
    });

    it('refuses a bad file with its line, an unreadable file and an unknown school, changing nothing', async () => {
      const bad = file('bad.csv', 'login,name\nf.hill,Fay Hill\n,Nobody\n');
      await expect(importPupilsCommand(config(), { schoolId: oak, csvPath: bad })).rejects.toThrow(
        /bad\.csv: line 3: the login is empty; the pupil directory was not changed/,
      );
      await expect(
        importPupilsCommand(config(), { schoolId: oak, csvPath: path.join(h.dataDir, 'nope.csv') }),
      ).rejects.toThrow(ImportPupilsError);
      await expect(importPupilsCommand(config(), { schoolId: 'nope', csvPath: bad })).rejects.toThrow(
        'No school with id nope',
      );
      expect((await get(dsl)).json().count).toBe(3);
    });
  });
});
