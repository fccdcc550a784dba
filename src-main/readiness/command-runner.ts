/**
 * The one door through which the readiness probes run the machine's own tools (`pkcs11-tool`,
 * `modutil`, `sc`, `reg`, `certutil`, PowerShell, `system_profiler`, `pkgutil`…). Injected, so
 * every probe is testable with recorded outputs of the real commands (test/unit/readiness/
 * fixtures): a probe never parses anything it did not get through a CommandRunner.
 *
 * Arguments go as an array to `execFile` (no shell, nothing interpolated); a missing tool is a
 * value (`missing: true`), not an exception; every run has a timeout (a tool waiting on a
 * stuck card or a dialog must not stall the check).
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when the tool could not run or was killed (timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The tool is not installed (ENOENT). */
  missing?: boolean;
  /** Killed after its timeout. */
  timedOut?: boolean;
}

export interface CommandOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export type CommandRunner = (command: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** The real runner: execFile, UTF-8, 4 MiB of output at most, no window on Windows. */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        maxBuffer: 4 * 1024 * 1024,
        windowsHide: true,
        encoding: 'utf8',
        ...(options.env ? { env: options.env } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ code: 0, stdout, stderr });
          return;
        }
        const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string | null };
        if (e.code === 'ENOENT') {
          resolve({ code: null, stdout: '', stderr: '', missing: true });
          return;
        }
        const timedOut = e.killed === true && e.signal === 'SIGTERM';
        resolve({ code: typeof e.code === 'number' ? e.code : null, stdout: stdout ?? '', stderr: stderr ?? '', ...(timedOut ? { timedOut } : {}) });
      },
    );
  });
