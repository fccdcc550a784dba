/**
 * What the operating system says about the PC/SC service, behind an injectable probe so the
 * checks are testable anywhere:
 * - Linux (pcsc-lite): the daemon is `pcscd`; its socket is `/run/pcscd/pcscd.comm` unless
 *   PCSCLITE_CSOCK_NAME says otherwise (libpcsclite reads that variable; the test rig uses it).
 *   Debian starts it by socket activation (pcscd.socket), so "no process" with a socket file
 *   present is normal until the first client connects.
 * - Windows: the "Carte à puce" / "Smart Card" service is `SCardSvr` (`sc query SCardSvr`
 *   prints `STATE : 4 RUNNING` / `1 STOPPED`).
 * - macOS: PC/SC is built in (CryptoTokenKit), nothing to probe here.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseScOutput } from '../readiness/windows-probe';

export interface ServiceProbe {
  platform: string;
  /** pcscd process seen in /proc (Linux). */
  processRunning?: boolean;
  socketPath?: string;
  socketPresent?: boolean;
  /** SCardSvr state from `sc query` (Windows): RUNNING, STOPPED, … or `unknown`. */
  windowsServiceState?: string;
}

export interface PlatformProbe {
  readonly platform: NodeJS.Platform;
  pcscService(): Promise<ServiceProbe>;
}

export interface LinuxProbeOptions {
  /** Default `/proc`. */
  procRoot?: string;
  /** Default PCSCLITE_CSOCK_NAME or /run/pcscd/pcscd.comm. */
  socketPath?: string;
}

export const DEFAULT_PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

function pcscdRunning(procRoot: string): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim() === 'pcscd') return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

export function linuxProbe(options: LinuxProbeOptions = {}): PlatformProbe {
  return {
    platform: 'linux',
    async pcscService() {
      const socketPath = options.socketPath ?? process.env.PCSCLITE_CSOCK_NAME ?? DEFAULT_PCSCD_SOCKET;
      const running = pcscdRunning(options.procRoot ?? '/proc');
      return {
        platform: 'linux',
        ...(running !== undefined ? { processRunning: running } : {}),
        socketPath,
        socketPresent: existsSync(socketPath),
      };
    },
  };
}

/** `sc query SCardSvr` → RUNNING / STOPPED / …; `run` is injectable for tests. */
export function windowsProbe(run: (cmd: string, args: string[]) => Promise<string> = execText): PlatformProbe {
  return {
    platform: 'win32',
    async pcscService() {
      const out = await run('sc', ['query', 'SCardSvr']).catch(() => '');
      // French Windows says ÉTAT (often mangled by the console code page), not STATE: the shared
      // parser reads the English value after the number, which every language keeps.
      return { platform: 'win32', windowsServiceState: parseScOutput(out).state };
    },
  };
}

function execText(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 5000, windowsHide: true }, (error, stdout) => (error && !stdout ? reject(error) : resolve(String(stdout))));
  });
}

export function defaultPlatformProbe(platform: NodeJS.Platform = process.platform): PlatformProbe {
  if (platform === 'win32') return windowsProbe();
  if (platform === 'linux') return linuxProbe();
  return { platform, pcscService: async () => ({ platform }) };
}
