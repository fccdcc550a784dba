/**
 * Questions of the interactive commands (issue 13 #6): one at a time, and a withdrawn question
 * takes no line and leaves the terminal — no stale code prompt eating the password, no double echo.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isWithdrawn, LineInput } from '../../../src-main/cli/commands/line-input';
import type { CliContext } from '../../../src-main/cli/context';

function context(stdin: NodeJS.ReadableStream, err: string[] = []): CliContext {
  return { stdin, stderr: (t: string) => err.push(t), stdout: () => undefined, signal: new AbortController().signal } as unknown as CliContext;
}

describe('LineInput with --stdin', () => {
  it('a withdrawn question takes no line: the next line goes to the next question', async () => {
    const stdin = new PassThrough();
    const input = new LineInput(context(stdin), true);
    const stale = new AbortController();
    const first = input.ask('code', false, stale.signal);
    const second = input.ask('code', false);
    stale.abort();
    await expect(first).rejects.toSatisfy(isWithdrawn);
    stdin.write('123456\n4827\n');
    expect(await second).toBe('123456');
    expect(await input.ask('password', true)).toBe('4827');
  });

  it('an already withdrawn question is refused at once; the end of input is still undefined', async () => {
    const input = new LineInput(context(Readable.from(['only\n'])), true);
    const gone = new AbortController();
    gone.abort();
    await expect(input.ask('x', false, gone.signal)).rejects.toSatisfy(isWithdrawn);
    expect(await input.ask('x', false)).toBe('only');
    expect(await input.ask('x', false)).toBeUndefined();
  });
});

describe('LineInput on a terminal', () => {
  function tty() {
    const stream = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => void; raw: boolean[] };
    stream.isTTY = true;
    stream.raw = [];
    stream.setRawMode = (raw) => void stream.raw.push(raw);
    return stream;
  }

  it('asks one question at a time; a withdrawn visible prompt is closed before the next reads', async () => {
    const stdin = tty();
    const err: string[] = [];
    const input = new LineInput(context(stdin, err), false);
    const stale = new AbortController();
    const first = input.ask('Code : ', false, stale.signal);
    const second = input.ask('Code : ', false);
    await new Promise((r) => setImmediate(r));
    // Only one reader on the terminal at a time (two would echo every key twice).
    expect(stdin.listenerCount('keypress')).toBeLessThanOrEqual(1);
    stale.abort();
    await expect(first).rejects.toSatisfy(isWithdrawn);
    await new Promise((r) => setImmediate(r));
    stdin.write('654321\r');
    expect(await second).toBe('654321');
    expect(stdin.listenerCount('data')).toBeLessThanOrEqual(1);
  });

  it('a withdrawn hidden prompt leaves raw mode and wipes what was typed', async () => {
    const stdin = tty();
    const input = new LineInput(context(stdin), false);
    const stale = new AbortController();
    const pending = input.ask('Mot de passe : ', true, stale.signal);
    await new Promise((r) => setImmediate(r));
    stdin.write('48');
    await new Promise((r) => setImmediate(r));
    stale.abort();
    await expect(pending).rejects.toSatisfy(isWithdrawn);
    expect(stdin.raw).toEqual([true, false]);
    const next = input.ask('Mot de passe : ', true);
    await new Promise((r) => setImmediate(r));
    stdin.write('4827\r');
    expect(await next).toBe('4827');
  });
});
