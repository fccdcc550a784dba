/**
 * A user's home for the browser probes, built for real with NSS's own tools (Debian package
 * libnss3-tools: `certutil`, `modutil`) in a temporary folder: Chromium's ~/.pki/nssdb and
 * Firefox profiles (profiles.ini + a profile database), each with OpenSC's module registered
 * or not. Missing tools make the helper FAIL with the command that installs them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPENSC_MODULE_PATHS } from '../../src-main/readiness/linux-probe';

export const NSS_INSTALL_HINT = 'sudo apt-get install -y libnss3-tools opensc';

export type DatabaseState = 'opensc' | 'empty' | 'missing';

export interface BrowserHome {
  home: string;
  chromiumDb: string;
  firefoxProfile: string;
  /** Registers OpenSC (or removes it) in a database of this home (asynchronous: never blocks the caller's event loop). */
  setOpensc(database: string, registered: boolean): Promise<void>;
  dispose(): void;
}

/**
 * modutil and certutil LOAD the modules of the database (OpenSC then asks pcscd for readers):
 * they run with a PC/SC socket that does not exist, so they never wait on a private pcscd whose
 * virtual card is served by the very process that waits for them.
 */
const NO_PCSC = { ...process.env, PCSCLITE_CSOCK_NAME: '/nonexistent/ecps-nss-tools.comm' };

function tool(name: string, args: string[]): string {
  const r = spawnSync(name, args, { encoding: 'utf8', env: NO_PCSC });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${name} is missing. Install it with:\n  ${NSS_INSTALL_HINT}`);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function openscModule(): string {
  const found = OPENSC_MODULE_PATHS.find((p) => existsSync(p));
  if (!found) throw new Error(`OpenSC's PKCS#11 module is missing. Install it with:\n  ${NSS_INSTALL_HINT}`);
  return found;
}

function createDatabase(dir: string, state: DatabaseState): void {
  if (state === 'missing') return;
  mkdirSync(dir, { recursive: true });
  tool('certutil', ['-d', `sql:${dir}`, '-N', '--empty-password']);
  if (state === 'opensc') tool('modutil', ['-dbdir', `sql:${dir}`, '-add', 'OpenSC', '-libfile', openscModule(), '-force']);
}

export function createBrowserHome(options: { chromium?: DatabaseState; firefox?: DatabaseState | 'none' } = {}): BrowserHome {
  const home = mkdtempSync(path.join(tmpdir(), 'ecps-home-'));
  const chromiumDb = path.join(home, '.pki', 'nssdb');
  const firefoxRoot = path.join(home, '.mozilla', 'firefox');
  const firefoxProfile = path.join(firefoxRoot, 'abcd1234.default-esr');
  createDatabase(chromiumDb, options.chromium ?? 'opensc');
  const firefox = options.firefox ?? 'none';
  if (firefox !== 'none') {
    mkdirSync(firefoxProfile, { recursive: true });
    writeFileSync(path.join(firefoxRoot, 'profiles.ini'), '[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\nDefault=1\n');
    createDatabase(firefoxProfile, firefox);
  }
  return {
    home,
    chromiumDb,
    firefoxProfile,
    setOpensc(database, registered) {
      const args = registered ? ['-dbdir', `sql:${database}`, '-add', 'OpenSC', '-libfile', openscModule(), '-force'] : ['-dbdir', `sql:${database}`, '-delete', 'OpenSC', '-force'];
      return new Promise((resolve, reject) => {
        execFile('modutil', args, { env: NO_PCSC, timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`modutil ${args.join(' ')}: ${error.message}\n${stderr}${stdout}`)) : resolve()));
      });
    },
    dispose: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Whether a Firefox binary is on PATH (then the probe expects a Firefox profile too). */
export function firefoxOnPath(): boolean {
  return ['firefox', 'firefox-esr'].some((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
}
