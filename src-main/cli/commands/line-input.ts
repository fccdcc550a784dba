/**
 * Answers for the interactive commands (`activate`, `phone`): with `--stdin`, one line of
 * standard input per question, read only when the question is asked (a script or a test
 * writes them as the JSON events arrive); otherwise the terminal — hidden for secrets (PIN,
 * password) through secret-input.ts, visible for the rest.
 *
 * Questions are asked ONE AT A TIME, in order, and a question that no longer makes sense can be
 * withdrawn (`signal`): the phone that showed the code left, a new QR is shown. A withdrawn
 * question consumes no line and leaves the terminal. Before, a stale code prompt stayed queued
 * and ate the next line typed (the first password → PairingWrongStep), and on a terminal two
 * readline prompts echoed every digit twice — and could echo a password typed under raw mode
 * (issue 13 #6).
 */
import { createInterface } from 'node:readline';
import { cliError } from '../cli-errors';
import type { CliContext } from '../context';
import { readSecretFromTerminal } from '../secret-input';

/** Rejection of a question withdrawn through its signal (not an error to show). */
export class QuestionWithdrawn extends Error {
  constructor() {
    super('question withdrawn');
    this.name = 'QuestionWithdrawn';
  }
}

export const isWithdrawn = (error: unknown): error is QuestionWithdrawn => error instanceof QuestionWithdrawn;

interface Waiter {
  resolve(line: string | undefined): void;
}

export class LineInput {
  private buffer = '';
  private readonly lines: string[] = [];
  private readonly waiters: Waiter[] = [];
  private ended = false;
  private attached = false;
  /** Terminal questions run one after the other. */
  private terminalTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: CliContext,
    private readonly fromStdin: boolean,
  ) {}

  /**
   * One answer; undefined when the input ended (or the user pressed Ctrl-C / Ctrl-D). Rejects
   * with QuestionWithdrawn when `signal` aborts before the answer.
   */
  async ask(prompt: string, secret: boolean, signal?: AbortSignal): Promise<string | undefined> {
    if (signal?.aborted) throw new QuestionWithdrawn();
    if (this.fromStdin) return this.nextLine(signal);
    const input = this.ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    if (!input.isTTY) throw cliError('PinInputMissing');
    const turn = this.terminalTurn.then(() => this.askTerminal(prompt, secret, signal));
    this.terminalTurn = turn.catch(() => undefined);
    return turn;
  }

  private async askTerminal(prompt: string, secret: boolean, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (signal?.aborted) throw new QuestionWithdrawn();
    if (secret) {
      const bytes = await readSecretFromTerminal(this.ctx, prompt, signal);
      if (signal?.aborted) {
        bytes?.fill(0);
        throw new QuestionWithdrawn();
      }
      if (bytes === undefined) return undefined;
      const text = Buffer.from(bytes).toString('utf8');
      bytes.fill(0);
      return text;
    }
    const rl = createInterface({ input: this.ctx.stdin, output: process.stderr, terminal: true });
    const withdraw = () => rl.close();
    signal?.addEventListener('abort', withdraw, { once: true });
    try {
      const answer = await new Promise<string | undefined>((resolve) => {
        rl.once('close', () => resolve(undefined));
        rl.question(prompt, (line) => resolve(line));
      });
      if (signal?.aborted) {
        this.ctx.stderr('\n');
        throw new QuestionWithdrawn();
      }
      return answer;
    } finally {
      signal?.removeEventListener('abort', withdraw);
      rl.close();
    }
  }

  private nextLine(signal: AbortSignal | undefined): Promise<string | undefined> {
    this.attach();
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (value) => {
          signal?.removeEventListener('abort', withdraw);
          resolve(value);
        },
      };
      // Withdrawn: out of the queue, so the next line goes to the next question.
      const withdraw = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new QuestionWithdrawn());
      };
      signal?.addEventListener('abort', withdraw, { once: true });
      this.waiters.push(waiter);
    });
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    const stdin = this.ctx.stdin;
    stdin.on('data', (chunk: Buffer | string) => {
      this.buffer += chunk.toString();
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i).replace(/\r$/, '');
        this.buffer = this.buffer.slice(i + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(line);
        else this.lines.push(line);
      }
    });
    stdin.on('end', () => {
      this.ended = true;
      if (this.buffer !== '') {
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(this.buffer);
        else this.lines.push(this.buffer);
        this.buffer = '';
      }
      for (const w of this.waiters.splice(0)) w.resolve(undefined);
    });
    stdin.resume();
  }

  /** Lets the process exit even though stdin is still open. */
  close(): void {
    (this.ctx.stdin as NodeJS.ReadableStream & { pause?: () => void }).pause?.();
    const s = this.ctx.stdin as { unref?: () => void; destroy?: () => void };
    if (this.attached && s !== process.stdin) return;
    if (this.attached) s.destroy?.();
  }
}
