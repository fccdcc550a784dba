/**
 * A real TLS client logging in with a card through a PKCS#11 module: curl, built on OpenSSL,
 * with OpenSC's libp11 engine (Debian `libengine-pkcs11-openssl`) loading the module asked for
 * — OpenSC's `opensc-pkcs11.so` by default — from an OpenSSL configuration file written for
 * the occasion. The key and the certificate are named by a PKCS#11 URI (RFC 7512).
 *
 * The PIN never appears on a command line (visible to every process): `--client` gives it to
 * curl on standard input as a config line (`-K -`, curl's `pass`, which curl hands to the
 * engine's login); the command printed for a technician gives none, and the engine asks for
 * it on the terminal itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** CPS_PRIV_AUT's PKCS#15 iD, which its certificate shares [C OpenSC issue #2267, dump of a real CPx]. */
export const CPS_AUTHENTICATION_KEY_ID = 'e828bd080f8025000001ff001002';

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
const MODULE_CANDIDATES = [
  ...LIB_DIRS.flatMap((dir) => [path.join(dir, 'opensc-pkcs11.so'), path.join(dir, 'pkcs11', 'opensc-pkcs11.so')]),
  '/Library/OpenSC/lib/opensc-pkcs11.so',
];
const ENGINE_CANDIDATES = LIB_DIRS.flatMap((dir) => [path.join(dir, 'engines-3', 'pkcs11.so'), path.join(dir, 'engines-3', 'libpkcs11.so')]);

/** OpenSC's PKCS#11 module on this machine, if installed. */
export function findOpenscModule(): string | undefined {
  return MODULE_CANDIDATES.find((file) => existsSync(file));
}

/** The libp11 engine for OpenSSL 3 (`pkcs11.so` in OpenSSL's engines folder), if installed. */
export function findPkcs11Engine(): string | undefined {
  const enginesDir = spawnSync('openssl', ['version', '-e'], { encoding: 'utf8' }).stdout?.match(/ENGINESDIR: "([^"]+)"/)?.[1];
  const fromOpenssl = enginesDir ? [path.join(enginesDir, 'pkcs11.so')] : [];
  return [...fromOpenssl, ...ENGINE_CANDIDATES].find((file) => existsSync(file));
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** `%e8%28…`: every byte percent-encoded, as RFC 7512 allows for `id`. */
export function pkcs11Uri(idHex: string, type: 'private' | 'cert'): string {
  const id = (idHex.match(/../g) ?? []).map((b) => `%${b}`).join('');
  return `pkcs11:id=${id};type=${type}`;
}

/** An OpenSSL configuration that loads the libp11 engine with `modulePath`. */
export function writeOpensslConfig(file: string, enginePath: string, modulePath: string): void {
  writeFileSync(
    file,
    [
      '# Compagnon e-CPS (ecps portal-test): OpenSSL + PKCS#11 engine with the card module',
      'openssl_conf = openssl_init',
      '[openssl_init]',
      'engines = engine_section',
      '[engine_section]',
      'pkcs11 = pkcs11_section',
      '[pkcs11_section]',
      'engine_id = pkcs11',
      `dynamic_path = ${enginePath}`,
      `MODULE_PATH = ${modulePath}`,
      'init = 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

export interface ClientPlan {
  url: string;
  caFile: string;
  opensslConfig: string;
  keyId: string;
}

/** curl's arguments (no PIN): TLS 1.2, the server checked against `caFile`, key and certificate from the engine. */
export function curlArgs(plan: ClientPlan): string[] {
  return [
    '--silent',
    '--show-error',
    '--cacert', plan.caFile,
    '--tlsv1.2',
    '--engine', 'pkcs11',
    '--key-type', 'ENG',
    '--key', pkcs11Uri(plan.keyId, 'private'),
    '--cert-type', 'ENG',
    '--cert', pkcs11Uri(plan.keyId, 'cert'),
    '--header', 'Accept: application/json',
    plan.url,
  ];
}

/** The one line a technician can paste (POSIX shell quoting); the engine asks for the PIN. */
export function technicianCommand(plan: ClientPlan): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  const args = curlArgs(plan).filter((a) => a !== '--silent');
  return `OPENSSL_CONF=${quote(plan.opensslConfig)} curl ${args.map(quote).join(' ')}`;
}

export interface ClientRun {
  exitCode: number | null;
  /** curl's last error line, e.g. "curl: (58) unable to set private key file". */
  error: string | null;
  body: string;
  timedOut: boolean;
}

/**
 * Runs curl once with the PIN on standard input (`-K -`). `pin` is digits only (checked by the
 * caller); the caller wipes its buffer. Extra environment (PCSCLITE_CSOCK_NAME in tests) is kept.
 */
export function runPkcs11Client(plan: ClientPlan, pin: Uint8Array, options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['--config', '-', ...curlArgs(plan)], {
      env: { ...(options.env ?? process.env), OPENSSL_CONF: plan.opensslConfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let body = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (body += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      resolve({ exitCode: code, error: lines.at(-1) ?? null, body, timedOut });
    });
    const line = Buffer.concat([Buffer.from('pass = "'), Buffer.from(pin), Buffer.from('"\n')]);
    child.stdin.end(line, () => line.fill(0));
  });
}
