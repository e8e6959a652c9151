import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Serves the dashboard (console/web's Vite build) at `/`: its files, and index.html for any other
 * GET that is a client route (no file extension), but never for /api, /docs or /health, which keep
 * their JSON 404. Every answer carries a strict Content-Security-Policy (nothing inline, nothing
 * from elsewhere); hashed assets are cached for a year, index.html never.
 */
export interface WebPluginOptions {
  /** The built dashboard; default VIGIL_WEB_DIR, else console/web/dist beside this package. */
  root?: string;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
};

const NOT_SPA = /^\/(api|docs|health)(\/|$)/;

interface WebFile {
  body: Buffer;
  type: string;
  cache: string;
}

export function defaultWebRoot(): string {
  return process.env.VIGIL_WEB_DIR || path.resolve(__dirname, '..', '..', '..', 'web', 'dist');
}

/** Every file under root by its URL path, read once at start (the build is a few hundred KB). */
function loadFiles(root: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const url = '/' + path.relative(root, full).split(path.sep).join('/');
        files.set(url, {
          body: fs.readFileSync(full),
          type: TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
          // Vite names everything under assets/ by content hash.
          cache: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  };
  if (fs.existsSync(path.join(root, 'index.html'))) walk(root);
  return files;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}

export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, options) => {
  const root = options.root ?? defaultWebRoot();
  const files = loadFiles(root);
  const index = files.get('/index.html');
  if (!index) app.log.warn({ root }, 'the dashboard is not built: / answers 503 until `npm run build` has run');

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (NOT_SPA.test(pathname)) return reply.callNotFound();
    const file = files.get(pathname) ?? (pathname.split('/').pop()?.includes('.') ? undefined : index);
    if (!file) {
      if (!index && !pathname.split('/').pop()?.includes('.')) {
        return securityHeaders(reply)
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The Vigil dashboard is not built yet: run `npm run build` (or `npm start`), then reload.');
      }
      return reply.callNotFound();
    }
    return securityHeaders(reply).header('cache-control', file.cache).type(file.type).send(file.body);
  });
};
