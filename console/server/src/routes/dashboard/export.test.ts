import {
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';
import { csvCell } from '../../services/capture-export.service';

/** Splits simple CSV (every cell quoted, "" for a quote, CRLF rows). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"')));
}

describe('exports: CSV and the PDF incident report', () => {
  let h: Harness;
  let dsl: SignedIn;
  let admin: SignedIn;
  let ids: string[];

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: school.id }));
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: school.id }));
    const device = await enrolDevice(h.app, school.enrolmentToken);
    ids = [
      (await uploadCapture(h.app, device, { capturedAt: '2026-07-01T08:00:00.000Z', windowTitle: '=HYPERLINK("x")' }))
        .id,
      (await uploadCapture(h.app, device, { capturedAt: '2026-07-02T08:00:00.000Z', user: '@pupil, "two"' })).id,
    ];
    await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${ids[0]}`,
      headers: dsl.write,
      payload: { status: 'escalated', note: 'called parents' },
    });
  });
  afterAll(() => h.close());

  it.each([
    ['=1+1', `"'=1+1"`],
    ['+44', `"'+44"`],
    ['-2', `"'-2"`],
    ['@x', `"'@x"`],
    ['plain, "quoted"', `"plain, ""quoted"""`],
    [null, '""'],
  ])('escapes the cell %p', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('exports the filtered list as CSV with a header, defusing formulas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/captures/export.csv', headers: dsl.get });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = parseCsv(res.body);
    expect(rows[0]).toContain('capturedAtUk');
    expect(rows).toHaveLength(3);
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(rows[1]![col('id')]).toBe(ids[1]);
    expect(rows[1]![col('user')]).toBe(`'@pupil, "two"`);
    expect(rows[2]![col('windowTitle')]).toBe(`'=HYPERLINK("x")`);
    expect(rows[2]![col('capturedAtUk')]).toContain('09:00:00');
    const filtered = await h.app.inject({
      method: 'GET',
      url: '/api/captures/export.csv?status=escalated',
      headers: dsl.get,
    });
    expect(parseCsv(filtered.body)).toHaveLength(2);
    const audit = await sqlAll(h.app, "SELECT details_json FROM audit_log WHERE action = 'capture.export'");
    expect(audit).toHaveLength(2);
  });

  it('makes a PDF incident report', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/captures/${ids[0]}/report.pdf`, headers: dsl.get });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 4).toString()).toBe('%PDF');
    expect(res.rawPayload.length).toBeGreaterThan(3_000);
    expect(res.rawPayload.length).toBeLessThan(5_000_000);
  });

  it('refuses roles that may not see captures', async () => {
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/captures/export.csv', headers: admin.get })).statusCode,
    ).toBe(403);
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/captures/${ids[0]}/report.pdf`, headers: admin.get })).statusCode,
    ).toBe(403);
  });
});
