/**
 * NSS databases: where Chromium/Chrome and Firefox keep the PKCS#11 modules they load, and
 * what those modules are. NSS "sql:" databases list their modules in plain text in
 * `pkcs11.txt` (blank-line separated blocks of `library=`, `name=`, `parameters=`, `NSS=`); the
 * old "dbm:" format keeps them in `secmod.db`, read with `modutil -list` (NSS's own tool).
 * Where each browser looks (Linux):
 *   - Chromium and Google Chrome: `~/.pki/nssdb` (created at the browser's first start);
 *   - Firefox: each profile folder (profiles.ini; also the snap and flatpak homes).
 * Windows and macOS Firefox profiles are read the same way (their `pkcs11.txt`).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from './command-runner';

export type ModuleKind = 'opensc' | 'cryptolib' | 'p11-kit-proxy' | 'nss-internal' | 'other';

export interface NssModule {
  name: string;
  /** As written in the database (may be a bare file name, resolved by the loader). */
  library: string;
  kind: ModuleKind;
}

/** OpenSC's module (also its one-PIN flavour) and the ANS Cryptolib CPS module, per platform. */
export function moduleKind(library: string, name = ''): ModuleKind {
  const file = library.replace(/\\/g, '/').split('/').pop()?.toLowerCase() ?? '';
  if (library.trim() === '') return 'nss-internal';
  if (/^(onepin-)?opensc-pkcs11\.(so|dll|dylib)$/.test(file)) return 'opensc';
  // Cryptolib CPS: libcps3_pkcs11_lux.so (Linux), cps3_pkcs11_w32/w64.dll, libcps3_pkcs11_osx.dylib (CL release notes).
  if (/cps3?_pkcs11|cps_pkcs11/.test(file) || /cryptolib/i.test(name)) return 'cryptolib';
  if (file === 'p11-kit-proxy.so' || file === 'p11-kit-proxy.dylib') return 'p11-kit-proxy';
  return 'other';
}

/** The modules of a `pkcs11.txt` (NSS sql database). */
export function parsePkcs11Txt(text: string): NssModule[] {
  const modules: NssModule[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fields.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
    }
    if (!fields.has('library') && !fields.has('name')) continue;
    const library = fields.get('library') ?? '';
    const name = fields.get('name') ?? '';
    modules.push({ name, library, kind: moduleKind(library, name) });
  }
  return modules;
}

/** The modules of `modutil -list` (either format): `  2. OpenSC` then `library name: /usr/lib/…`. */
export function parseModutilList(text: string): NssModule[] {
  const modules: NssModule[] = [];
  let current: { name: string; library: string } | undefined;
  const flush = () => {
    if (current) modules.push({ ...current, kind: moduleKind(current.library, current.name) });
    current = undefined;
  };
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const head = /^\s*\d+\.\s+(.+?)\s*$/.exec(line);
    if (head) {
      flush();
      current = { name: head[1]!, library: '' };
      continue;
    }
    const lib = /^\s*library name:\s*(.*?)\s*$/.exec(line);
    if (lib && current) current.library = lib[1]!;
  }
  flush();
  return modules;
}

export type BrowserId = 'chromium' | 'chrome' | 'firefox' | 'edge';

export interface NssDatabase {
  browser: BrowserId;
  /** What the user calls it: "Chromium / Google Chrome", "Firefox (profil default-esr)". */
  label: string;
  /** The folder of the database. */
  directory: string;
  format: 'sql' | 'dbm' | 'missing';
  /** Modules registered (empty when missing or unreadable). */
  modules: NssModule[];
  /** Why the modules could not be read. */
  error?: string;
}

/** `sql:` when pkcs11.txt/cert9.db exist, `dbm:` with only secmod.db/cert8.db, else missing. */
export function nssFormat(directory: string): NssDatabase['format'] {
  if (existsSync(path.join(directory, 'pkcs11.txt')) || existsSync(path.join(directory, 'cert9.db'))) return 'sql';
  if (existsSync(path.join(directory, 'secmod.db')) || existsSync(path.join(directory, 'cert8.db'))) return 'dbm';
  return 'missing';
}

/** Reads the modules of one database (pkcs11.txt, else `modutil -list` for dbm). */
export async function readNssDatabase(base: Omit<NssDatabase, 'format' | 'modules'>, run: CommandRunner): Promise<NssDatabase> {
  const format = nssFormat(base.directory);
  if (format === 'missing') return { ...base, format, modules: [] };
  if (format === 'sql') {
    try {
      return { ...base, format, modules: parsePkcs11Txt(readFileSync(path.join(base.directory, 'pkcs11.txt'), 'utf8')) };
    } catch (error) {
      return { ...base, format, modules: [], error: String(error) };
    }
  }
  const listed = await run('modutil', ['-dbdir', `dbm:${base.directory}`, '-list']);
  if (listed.missing) return { ...base, format, modules: [], error: 'modutil not installed (Debian package libnss3-tools)' };
  if (listed.code !== 0) return { ...base, format, modules: [], error: (listed.stderr || listed.stdout).trim().slice(0, 300) };
  return { ...base, format, modules: parseModutilList(listed.stdout) };
}

/** Firefox profile folders under a Firefox data folder: profiles.ini first, then any folder with a database. */
export function firefoxProfiles(root: string): string[] {
  const found = new Set<string>();
  try {
    const ini = readFileSync(path.join(root, 'profiles.ini'), 'utf8');
    let relative = true;
    let current: string | undefined;
    const add = () => {
      if (current !== undefined) found.add(relative ? path.join(root, current) : current);
    };
    for (const raw of ini.replace(/\r\n/g, '\n').split('\n')) {
      const line = raw.trim();
      if (/^\[.*\]$/.test(line)) {
        add();
        current = undefined;
        relative = true;
        continue;
      }
      const m = /^(Path|IsRelative)\s*=\s*(.*)$/i.exec(line);
      if (!m) continue;
      if (m[1]!.toLowerCase() === 'path') current = m[2]!;
      else relative = m[2]!.trim() !== '0';
    }
    add();
  } catch {
    // no profiles.ini: look at the folders themselves
  }
  for (const dir of [root, path.join(root, 'Profiles')]) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry);
      try {
        if (statSync(full).isDirectory() && nssFormat(full) !== 'missing') found.add(full);
      } catch {
        // vanished
      }
    }
  }
  return [...found].filter((p) => existsSync(p)).sort();
}

/** The Firefox data folders of a Linux home (deb/tarball, snap, flatpak). */
export function linuxFirefoxRoots(home: string): string[] {
  return [
    path.join(home, '.mozilla', 'firefox'),
    path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
    path.join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox'),
  ];
}

/** Chromium and Chrome share the user's NSS database on Linux. */
export function chromiumNssDirectory(home: string): string {
  return path.join(home, '.pki', 'nssdb');
}
