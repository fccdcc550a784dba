/**
 * Issue 13 #10: `ecps phone -` reads the QR payload (it carries the one-time token) from
 * standard input instead of the command line, where every user sees it in `ps`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliChild } from '../support/cli';

const children: CliChild[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});
const write = (c: CliChild, line: string) => c.process.stdin!.write(`${line}\n`);

describe('ecps phone - (QR payload on standard input)', () => {
  it('pairs and completes an activation with the payload never on a command line', async () => {
    const a = spawnCli(['activate', '--demo', '--bind', '127.0.0.1', '--json', '--stdin', '--accept-cgu', '--password-iterations', '10000']);
    children.push(a);
    write(a, '1234');
    const qr = await a.waitForLine((l) => l.event === 'qr', 20_000);
    const payload = String(qr.payload);
    const phone = spawnCli(['phone', '-', '--json', '--stdin']);
    children.push(phone);
    expect(phone.process.spawnargs.join(' ')).not.toContain('ecps1:');
    write(phone, payload);
    const code = await phone.waitForLine((l) => l.event === 'code', 15_000);
    write(a, String(code.code));
    await a.waitForLine((l) => l.event === 'password-required', 10_000);
    write(a, '4827');
    write(a, '4827');
    await phone.waitForLine((l) => l.event === 'password-required', 10_000);
    write(phone, '4827');
    expect((await phone.exited(15_000)).code).toBe(0);
    expect((await a.exited(15_000)).code).toBe(0);
  }, 60_000);

  it('--payload-stdin is the same; nothing on stdin, or a payload given twice, is a usage error (exit 2)', async () => {
    const empty = await runCli(['phone', '--payload-stdin'], { stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/ecps phone -/);
    const twice = await runCli(['phone', 'ecps1:abc', '--payload-stdin'], { stdin: 'ecps1:def\n' });
    expect(twice.code).toBe(2);
    const malformed = await runCli(['phone', '-', '--json'], { stdin: 'not-a-qr\n' });
    expect(malformed.code).not.toBe(0);
    expect(malformed.stdout + malformed.stderr).not.toContain('not-a-qr');
  }, 40_000);
});
