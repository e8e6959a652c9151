import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../test-support/harness';
import { CONTENT_SECURITY_POLICY } from './web.plugin';

/** A small stand-in for console/web's build: the plugin's job is the serving, not the app. */
function fakeBuild(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-dist-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><title>Vigil</title><script type="module" src="/assets/app-abc123.js"></script>',
  );
  fs.writeFileSync(path.join(root, 'assets', 'app-abc123.js'), 'console.log("dashboard")');
  fs.writeFileSync(path.join(root, 'assets', 'app-abc123.css'), 'body{}');
  return root;
}

describe('the dashboard at /', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    root = fakeBuild();
    process.env.VIGIL_WEB_DIR = root;
    h = await startHarness();
  });
  afterAll(async () => {
    delete process.env.VIGIL_WEB_DIR;
    await h.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached, with a strict CSP', async () => {
    for (const url of ['/', '/inbox', '/captures/0193abcd-1234', '/inbox?status=new']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<title>Vigil</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('serves hashed assets with their type, cached for a year', async () => {
    const js = await h.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("dashboard")');
    const css = await h.app.inject({ method: 'GET', url: '/assets/app-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers a missing file, /api, /docs and /health paths without falling back to the app', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/assets/gone-123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CONSOLE_ERR_NOT_FOUND' });
    for (const url of ['/api/nothing-here', '/api', '/docs/nothing-here', '/health/x']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_NOT_FOUND' });
    }
    expect((await h.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('never serves files outside the build', async () => {
    for (const url of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/../../index.html.bak']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
    }
  });
});

describe('the dashboard before it is built', () => {
  it('says how to build it instead of a blank page', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-empty-'));
    process.env.VIGIL_WEB_DIR = empty;
    const h = await startHarness();
    delete process.env.VIGIL_WEB_DIR;
    try {
      const res = await h.app.inject({ method: 'GET', url: '/inbox' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
    } finally {
      await h.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
