/**
 * A private pcscd for integration tests and benchmarks.
 *
 * Each rig runs its own pcscd with the vsmartcard `vpcd` driver on a free pair of TCP
 * ports (slot 0 and slot 1 of one dual-slot "bi-fente" virtual reader), in its own mount
 * namespace so its socket does not clash with the system's pcscd or another rig:
 * pcscd 1.9 always listens on /run/pcscd/pcscd.comm, so we bind-mount a temporary folder
 * there, and point libpcsclite at it with PCSCLITE_CSOCK_NAME (read once per process).
 *
 * Missing packages make the rig *fail* with the command that installs them: an
 * integration test never skips because its parts are absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
export const INSTALL_HINT = 'sudo apt-get install -y pcscd vsmartcard-vpcd pcsc-tools gcc libc6-dev';

const VPCD_DRIVER_CANDIDATES = [
  '/usr/lib/pcsc/drivers/serial/libifdvpcd.so',
  '/usr/lib64/pcsc/drivers/serial/libifdvpcd.so',
  '/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so',
];

export interface PcscRig {
  /** The socket libpcsclite must use (already exported in PCSCLITE_CSOCK_NAME). */
  readonly socketPath: string;
  /** Slot 0 port; slot 1 is `vpcdPort + 1`. */
  readonly vpcdPort: number;
  readonly readerNames: readonly [string, string];
  /** Whether the TCP_NODELAY shim is loaded (benchmarks require it). */
  readonly nodelay: boolean;
  readonly running: boolean;
  /** pcscd's process id while it runs (unshare, sh and setpriv exec into it). */
  readonly pid: number | undefined;
  /**
   * Freezes pcscd (SIGSTOP): its socket stays, connections queue, nothing is answered — what a
   * hung daemon or one still starting looks like to a client. thawService() resumes it.
   */
  freezeService(): void;
  thawService(): void;
  /** Stops pcscd (SIGTERM, then SIGKILL) and waits for it to exit. */
  stopService(): Promise<void>;
  /** Starts pcscd again on the same ports and socket. */
  startService(): Promise<void>;
  restartService(): Promise<void>;
  /** Stops pcscd and removes the rig's files. */
  dispose(): Promise<void>;
  /** The last lines pcscd printed, for failure messages. */
  log(): string;
}

export interface PcscRigOptions {
  /** Load the TCP_NODELAY shim (compiled on first use). Default true; required by benchmarks. */
  nodelay?: boolean;
  /** Extra pcscd flags, e.g. ['-a'] to log APDUs. */
  pcscdArgs?: string[];
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : undefined;
}

function findPcscd(): string | undefined {
  return which('pcscd') ?? ['/usr/sbin/pcscd', '/sbin/pcscd'].find((p) => fs.existsSync(p));
}

/** Throws an explanatory error when pcscd or vpcd is missing. */
export function checkPcscPackages(): { pcscd: string; vpcdDriver: string } {
  const pcscd = findPcscd();
  const vpcdDriver = VPCD_DRIVER_CANDIDATES.find((p) => fs.existsSync(p));
  const missing = [!pcscd && 'pcscd', !vpcdDriver && 'vsmartcard-vpcd (vpcd driver)'].filter(Boolean);
  if (missing.length > 0 || !pcscd || !vpcdDriver) {
    throw new Error(
      `Integration tests need a real PC/SC stack, but ${missing.join(' and ')} is missing. Install it with:\n  ${INSTALL_HINT}`,
    );
  }
  return { pcscd, vpcdDriver };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function findPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 10000);
    if ((await portFree(base)) && (await portFree(base + 1))) return base;
  }
  throw new Error('No free pair of TCP ports for the virtual reader');
}

/** Compiles the NODELAY shim once per source version; undefined when no C compiler exists. */
export function buildNodelayShim(): string | undefined {
  const source = path.join(here, 'nodelay-shim.c');
  const text = fs.readFileSync(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'ecps-rig');
  const output = path.join(cacheDir, `nodelay-shim-${hash}.so`);
  if (fs.existsSync(output)) return output;
  const cc = which('cc') ?? which('gcc');
  if (!cc) return undefined;
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  const r = spawnSync(cc, ['-shared', '-fPIC', '-O2', '-o', tmp, source, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Compiling the NODELAY shim failed:\n${r.stderr}`);
  fs.renameSync(tmp, output);
  return output;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}. pcscd said:\n${log()}`);
}

async function portListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ port, host: '127.0.0.1' });
    // Connecting briefly looks like a card insert+remove to vpcd; only used before any test card plugs in.
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startPcscRig(options: PcscRigOptions = {}): Promise<PcscRig> {
  const { pcscd, vpcdDriver } = checkPcscPackages();
  if (!which('unshare')) throw new Error('The test rig needs `unshare` (package util-linux).');
  const nodelayShim = options.nodelay === false ? undefined : buildNodelayShim();
  if (options.nodelay === true && !nodelayShim) {
    throw new Error(`The NODELAY shim needs a C compiler. Install it with:\n  ${INSTALL_HINT}`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-pcscd-'));
  const confDir = path.join(dir, 'reader.conf.d');
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(confDir);
  fs.mkdirSync(runDir);
  const vpcdPort = await findPortPair();
  const channel = `0x${vpcdPort.toString(16).toUpperCase()}`;
  fs.writeFileSync(
    path.join(confDir, 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:${channel}\nLIBPATH ${vpcdDriver}\nCHANNELID ${channel}\n`,
  );
  const socketPath = path.join(runDir, 'pcscd.comm');
  process.env.PCSCLITE_CSOCK_NAME = socketPath;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root a plain mount namespace is enough; otherwise an unprivileged user namespace.
  const unshareArgs = isRoot ? ['-m', '--propagation', 'private'] : ['-r', '-m', '--propagation', 'private'];
  // setpriv --pdeathsig: pcscd stops when the test process dies, even if it is killed.
  const script = `run="$1"; bin="$2"; conf="$3"; shift 3; mkdir -p /run/pcscd && mount --bind "$run" /run/pcscd && exec setpriv --pdeathsig TERM "$bin" --foreground --info -c "$conf" "$@"`;

  let child: ChildProcess | undefined;
  let logLines: string[] = [];
  const log = () => logLines.slice(-40).join('\n');
  let exited: Promise<void> = Promise.resolve();

  async function startService(): Promise<void> {
    if (child) return;
    fs.rmSync(socketPath, { force: true });
    fs.rmSync(path.join(runDir, 'pcscd.pid'), { force: true });
    const env = { ...process.env };
    if (nodelayShim) env.LD_PRELOAD = nodelayShim;
    const proc = spawn(
      'unshare',
      [...unshareArgs, 'sh', '-c', script, 'sh', runDir, pcscd, confDir, ...(options.pcscdArgs ?? [])],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    // Readiness is THIS pcscd's "daemon ready": the log also holds the previous one's, and
    // matching that returned while the new pcscd was still starting (socket there, not served).
    let ready = false;
    let partial = '';
    const onOutput = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      if (lines.some((line) => /daemon ready/.test(line))) ready = true;
      logLines.push(...lines.filter(Boolean));
      if (logLines.length > 400) logLines = logLines.slice(-200);
    };
    proc.stdout?.on('data', onOutput);
    proc.stderr?.on('data', onOutput);
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', (code, signal) => {
      if (partial) logLines.push(partial);
      logLines.push(`[rig] pcscd exited (${code ?? signal})`);
      if (child === proc) child = undefined;
    });
    await waitFor(
      () => child === proc && ready && fs.existsSync(socketPath),
      8000,
      'the private pcscd to start',
      log,
    ).catch((err) => {
      if (!isRoot && /mount|unshare/i.test(log())) {
        throw new Error(`${err.message}\nRun the integration tests as root (or allow unprivileged user namespaces).`);
      }
      throw err;
    });
  }

  async function stopService(): Promise<void> {
    const proc = child;
    if (!proc) return;
    proc.kill('SIGTERM');
    proc.kill('SIGCONT'); // a frozen pcscd (freezeService) handles SIGTERM only once thawed
    const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  }

  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  await startService();
  // vpcd opens its listening sockets while the reader is added; make sure they are up.
  await waitFor(() => portListening(vpcdPort + 1).then(async (b) => b && portListening(vpcdPort)), 5000, 'vpcd ports', log);

  return {
    socketPath,
    vpcdPort,
    readerNames: ['Virtual PCD 00 00', 'Virtual PCD 00 01'],
    nodelay: nodelayShim !== undefined,
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    freezeService() {
      if (!child?.kill('SIGSTOP')) throw new Error('pcscd is not running');
    },
    thawService() {
      child?.kill('SIGCONT');
    },
    stopService,
    startService,
    async restartService() {
      await stopService();
      await startService();
    },
    async dispose() {
      await stopService();
      process.off('exit', onExit);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    log,
  };
}
