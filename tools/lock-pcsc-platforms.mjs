#!/usr/bin/env node
/**
 * Keeps package-lock.json in step with pcsc-mini's optional per-platform packages.
 *
 * pcsc-mini lists one optional package per target (linux, macOS, Windows…). When a registry
 * does not serve some of them (our build machines' registry mirror lacks the macOS, 32-bit
 * and non-Electron Windows builds), `npm install` silently leaves them out of the lock file
 * and `npm ci` then refuses the lock as "out of sync". This adds the missing entries with the
 * platform fields npm needs to skip them on other machines. Run it after `npm install`:
 *   node tools/lock-pcsc-platforms.mjs
 */
import fs from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
/** Target name (after @pcsc-mini/) → npm platform fields, from the package names. */
const TARGETS = {
  'linux-aarch64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-aarch64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x86_64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x86_64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'linux-x86-gnu': { os: ['linux'], cpu: ['ia32'], libc: ['glibc'] },
  'linux-x86-musl': { os: ['linux'], cpu: ['ia32'], libc: ['musl'] },
  'macos-aarch64': { os: ['darwin'], cpu: ['arm64'] },
  'macos-x86_64': { os: ['darwin'], cpu: ['x64'] },
  'windows-aarch64-bun': { os: ['win32'], cpu: ['arm64'] },
  'windows-aarch64-electron': { os: ['win32'], cpu: ['arm64'] },
  'windows-aarch64-node': { os: ['win32'], cpu: ['arm64'] },
  'windows-x86_64-bun': { os: ['win32'], cpu: ['x64'] },
  'windows-x86_64-electron': { os: ['win32'], cpu: ['x64'] },
  'windows-x86_64-node': { os: ['win32'], cpu: ['x64'] },
};

const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
const pcsc = lock.packages['node_modules/pcsc-mini'];
if (!pcsc) throw new Error('pcsc-mini is not in package-lock.json');
let added = 0;
for (const [name, version] of Object.entries(pcsc.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const fields = TARGETS[name.replace('@pcsc-mini/', '')];
  if (!fields) throw new Error(`Unknown pcsc-mini target ${name}: add it to TARGETS`);
  lock.packages[key] = { version, license: 'MIT', optional: true, ...fields };
  added++;
}
// npm writes packages sorted by path; keep the file stable for reviews.
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `package-lock.json: ${added} pcsc-mini platform entries added` : 'package-lock.json: nothing to add');
