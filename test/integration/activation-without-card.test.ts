/**
 * Issue 4 §6, end to end without the card: `ecps activate --without-card` against the standalone
 * sandbox authority; the QR is read from the e-mail in the authority's outbox (GET /outbox), the
 * reference phone (`ecps phone`) scans it, the phone's code is typed on the computer, the SMS
 * code (from the outbox) is typed on the phone, then the password on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';
import { spawnCli, type CliChild } from '../support/cli';

const PASSWORD = '5829';
let authority: AuthorityServer;
const children: CliChild[] = [];

beforeAll(async () => {
  authority = await startAuthorityServer();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await authority?.close();
});

type Message = { channel: 'email' | 'sms'; activationId: string; qrPayload?: string; code?: string };
async function outbox(): Promise<Message[]> {
  const res = await fetch(`${authority.url}/outbox`);
  return ((await res.json()) as { messages: Message[] }).messages;
}
async function waitFor<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const write = (child: CliChild, line: string) => child.process.stdin!.write(`${line}\n`);

describe('ecps activate --without-card + ecps phone', () => {
  it('e-mailed QR → phone → SMS code on the phone → password: the authority records the activation', async () => {
    const a = spawnCli(['activate', '--without-card', '--national-id', '89970000005 4', '--authority', authority.url, '--bind', '127.0.0.1', '--json', '--stdin', '--password-iterations', '10000']);
    children.push(a);
    const sent = await a.waitForLine((l) => l.event === 'request-sent', 10_000);
    expect(String(sent.sentTo)).toMatch(/•/);
    const email = await waitFor('the e-mail', async () => (await outbox()).find((m) => m.channel === 'email' && m.activationId === sent.activationId));
    expect(email.qrPayload).toBe(sent.payload);
    const phone = spawnCli(['phone', email.qrPayload!, '--json', '--stdin']);
    children.push(phone);
    const code = await phone.waitForLine((l) => l.event === 'code', 10_000);
    await a.waitForLine((l) => l.event === 'code-required', 10_000);
    write(a, String(code.code));
    await phone.waitForLine((l) => l.event === 'sms-required', 10_000);
    const sms = await waitFor('the SMS', async () => (await outbox()).find((m) => m.channel === 'sms' && m.activationId === sent.activationId));
    // One wrong SMS code first: refused with the attempts left, then the right one.
    write(phone, sms.code === '000000' ? '111111' : '000000');
    await phone.waitForLine((l) => l.event === 'sms-result' && l.ok === false, 10_000);
    write(phone, sms.code!);
    await a.waitForLine((l) => l.event === 'password-required', 10_000);
    write(a, PASSWORD);
    write(a, PASSWORD);
    await phone.waitForLine((l) => l.event === 'password-required', 10_000);
    write(phone, PASSWORD);
    const [ra, rp] = await Promise.all([a.exited(20_000), phone.exited(20_000)]);
    expect(ra.code, ra.stdout + ra.stderr).toBe(0);
    expect(rp.code, rp.stdout + rp.stderr).toBe(0);
    const record = await authority.authority.getActivation(String(sent.activationId));
    expect(record).toMatchObject({ status: 'completed', mode: 'without-card', idNat: '899700000054' });
    expect(a.stdout()).not.toContain(PASSWORD);
    expect(phone.stdout()).not.toContain(PASSWORD);
  }, 45_000);

  it('no contact details on file: the e-POP guidance, exit 14, nothing sent', async () => {
    const a = spawnCli(['activate', '--without-card', '--national-id', '89970000003 9', '--authority', authority.url, '--bind', '127.0.0.1', '--json', '--stdin']);
    children.push(a);
    a.process.stdin!.end();
    const ra = await a.exited(15_000);
    expect(ra.code, ra.stdout + ra.stderr).toBe(14);
    expect(a.lines().some((l) => l.event === 'state' && l.step === 'epop-guidance')).toBe(true);
    expect(a.lines().filter((l) => l.event === 'guidance').length).toBe(6);
  }, 20_000);
});
