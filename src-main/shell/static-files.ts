/**
 * The renderer's static files, shared by both shells (web shell over HTTP, Electron's `app://`
 * protocol): which file a URL path names inside dist/renderer (never outside it), its MIME
 * type, and the strict CSP (architecture.md §4: no 'unsafe-eval', no inline script).
 * Pure Node (fs + path): no HTTP, no Electron.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export function mimeTypeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The renderer's CSP; `connectSrc` adds sources to `connect-src 'self'` (the web shell's ws:). */
export function rendererContentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSrc].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * The file a URL path (`/assets/x.js`, percent-encoded) names inside `rendererDir`, or
 * undefined: no `..`, no dot-files, no backslash or NUL, no symlink escaping the folder.
 * Client-side routes (no extension) get index.html; missing assets are undefined (404).
 * May throw on filesystem errors: callers answer 404.
 */
export function resolveStaticFile(rendererDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
  const root = realpathSync(rendererDir);
  let file = path.join(root, ...segments);
  if (segments.length === 0 || (existsSync(file) && statSync(file).isDirectory())) file = path.join(file, 'index.html');
  if (!existsSync(file)) {
    if (path.extname(decoded) !== '') return undefined;
    file = path.join(root, 'index.html');
    if (!existsSync(file)) return undefined;
  }
  const real = realpathSync(file);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel) || !statSync(real).isFile()) return undefined;
  return real;
}
