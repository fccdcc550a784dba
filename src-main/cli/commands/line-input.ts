/**
 * Answers for the interactive commands (`activate`, `phone`): with `--stdin`, one line of
 * standard input per question, read only when the question is asked (a script or a test
 * writes them as the JSON events arrive); otherwise the terminal — hidden for secrets (PIN,
 * password) through secret-input.ts, visible for the rest.
 */
import { createInterface } from 'node:readline';
import { cliError } from '../cli-errors';
import type { CliContext } from '../context';
import { readSecretFromTerminal } from '../secret-input';

export class LineInput {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiters: ((line: string | undefined) => void)[] = [];
  private ended = false;
  private attached = false;

  constructor(
    private readonly ctx: CliContext,
    private readonly fromStdin: boolean,
  ) {}

  /** One answer; undefined when the input ended (or the user pressed Ctrl-C / Ctrl-D). */
  async ask(prompt: string, secret: boolean): Promise<string | undefined> {
    if (this.fromStdin) return this.nextLine();
    const input = this.ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    if (!input.isTTY) throw cliError('PinInputMissing');
    if (secret) {
      const bytes = await readSecretFromTerminal(this.ctx, prompt);
      if (bytes === undefined) return undefined;
      const text = Buffer.from(bytes).toString('utf8');
      bytes.fill(0);
      return text;
    }
    const rl = createInterface({ input: this.ctx.stdin, output: process.stderr, terminal: true });
    try {
      return await new Promise<string | undefined>((resolve) => {
        rl.once('close', () => resolve(undefined));
        rl.question(prompt, (answer) => resolve(answer));
      });
    } finally {
      rl.close();
    }
  }

  private nextLine(): Promise<string | undefined> {
    this.attach();
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
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
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    stdin.on('end', () => {
      this.ended = true;
      if (this.buffer !== '') {
        const waiter = this.waiters.shift();
        if (waiter) waiter(this.buffer);
        else this.lines.push(this.buffer);
        this.buffer = '';
      }
      for (const w of this.waiters.splice(0)) w(undefined);
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
