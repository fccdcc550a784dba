/**
 * Running the `ecps` CLI in tests, two ways:
 * - in-process: `runMain(argv)` calls `main(argv, io)` with a fake CliIo (collected stdout and
 *   stderr, stdin from a string, an AbortController) — fast, for unit tests;
 * - as a child process: `runCli(argv)` / `spawnCli(argv)` run `node bin/ecps.mjs …`, exactly
 *   what a technician types, with the test process's environment (PCSCLITE_CSOCK_NAME set by
 *   the pcscd rig is inherited).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src-main/cli/context';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const CLI_ENTRY = path.join(repoRoot, 'bin', 'ecps.mjs');

export interface CliResult {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time of the run, in ms. */
  ms: number;
}

/** Parses every non-empty line of a JSON-lines output (throws on a line that is not JSON). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`Not a JSON line: ${JSON.stringify(line)}\nin output:\n${text}`);
      }
    });
}

export interface FakeIo {
  io: CliIo;
  out: () => string;
  err: () => string;
  abort: () => void;
}

/**
 * A fake terminal for the no-echo prompts: `isTTY`, a `setRawMode` that records its calls,
 * and one answer typed (with Enter) each time a prompt (text ending with ": ") reaches stderr.
 */
export interface FakeTty {
  stdin: NodeJS.ReadableStream;
  onStderr(text: string): void;
  prompts: string[];
  rawModes: boolean[];
}

export function fakeTty(answers: readonly string[]): FakeTty {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  const pending = [...answers];
  const prompts: string[] = [];
  const rawModes: boolean[] = [];
  stream.isTTY = true;
  stream.setRawMode = (raw) => {
    rawModes.push(raw);
  };
  return {
    stdin: stream,
    prompts,
    rawModes,
    onStderr(text) {
      if (!/: $/.test(text)) return;
      prompts.push(text);
      const answer = pending.shift();
      // After the prompt: the reader listens once raw mode is on (same tick as the prompt).
      if (answer !== undefined) setImmediate(() => stream.write(`${answer}\r`));
      else setImmediate(() => stream.write('\u0003')); // Ctrl-C: nothing more to type
    },
  };
}

export function fakeIo(stdin = '', tty?: FakeTty): FakeIo {
  let out = '';
  let err = '';
  const controller = new AbortController();
  return {
    io: {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
        tty?.onStderr(text);
      },
      stdin: tty ? tty.stdin : Readable.from([stdin]),
      signal: controller.signal,
      exitsAfterCommand: false,
    },
    out: () => out,
    err: () => err,
    abort: () => controller.abort(),
  };
}

export interface RunMainOptions {
  stdin?: string;
  /** Aborts the signal (Ctrl-C) once `until` is true for the output so far, or after `abortAfterMs`. */
  until?: (stdout: string) => boolean;
  abortAfterMs?: number;
  /** Answers typed on a fake terminal, one per prompt (no-echo PIN entry). */
  tty?: FakeTty;
}

/** Calls `main(argv, io)` in-process. Dynamic import: test files that only need the helper stay light. */
export async function runMain(argv: string[], options: RunMainOptions = {}): Promise<CliResult> {
  const { main } = await import('../../src-main/cli/main');
  const fake = fakeIo(options.stdin ?? '', options.tty);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  if (options.abortAfterMs !== undefined) timer = setTimeout(fake.abort, options.abortAfterMs);
  if (options.until) {
    const until = options.until;
    poller = setInterval(() => {
      if (until(fake.out())) fake.abort();
    }, 5);
  }
  try {
    const code = await main(argv, fake.io);
    return { code, stdout: fake.out(), stderr: fake.err(), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    clearInterval(poller);
  }
}

export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Kills the child (SIGKILL) after this long and fails the run. Default 20 s. */
  timeoutMs?: number;
}

/** Runs `node bin/ecps.mjs …` to completion. */
export function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const child = startChild(argv, options.env);
  child.process.stdin?.end(options.stdin ?? '');
  return child.exited(options.timeoutMs ?? 20_000);
}

export interface CliChild {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The JSON lines printed so far. */
  lines: () => Record<string, unknown>[];
  /** Resolves with the first JSON line (from index `from`) that matches, or rejects with the output so far. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs: number, from?: number): Promise<Record<string, unknown>>;
  /** Resolves when the process ends (SIGKILL after timeoutMs, then rejects). */
  exited(timeoutMs: number): Promise<CliResult>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): void;
}

function startChild(argv: string[], env?: NodeJS.ProcessEnv): CliChild {
  const started = Date.now();
  const proc = spawn(process.execPath, [CLI_ENTRY, ...argv], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let result: CliResult | undefined;
  const done = new Promise<CliResult>((resolve) => {
    proc.on('close', (code, signal) => {
      result = { code, signal, stdout, stderr, ms: Date.now() - started };
      resolve(result);
    });
  });
  const lines = () => jsonLines(stdout.split('\n').slice(0, -1).join('\n'));
  return {
    process: proc,
    stdout: () => stdout,
    stderr: () => stderr,
    lines,
    alive: () => result === undefined,
    kill: (signal = 'SIGINT') => {
      if (result === undefined) proc.kill(signal);
    },
    async waitForLine(match, timeoutMs, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Only complete lines: the last chunk may end mid-line.
        const found = lines().slice(from).find(match);
        if (found) return found;
        if (Date.now() > deadline || result !== undefined) {
          throw new Error(
            `${result ? `ecps exited (${String(result.code)})` : 'Timed out'} before the expected line.\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`ecps ${argv.join(' ')} did not exit within ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Starts `node bin/ecps.mjs …` and leaves it running (watch, simulate). */
export function spawnCli(argv: string[], options: { env?: NodeJS.ProcessEnv } = {}): CliChild {
  return startChild(argv, options.env);
}
