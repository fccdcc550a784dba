/**
 * Issue 13 #5, #6, #8 at the activation level: a hostile sequence on the QR (a forged frame, a
 * second phone, three wrong codes — each refused, the QR renewed each time), then the
 * legitimate phone. It must complete as on a quiet start, and nothing of the cut pairing
 * sessions may stay behind: before the fix, each phone lost mid-rotation left a listener on a
 * port no QR showed, with its 90 s timer (the process then lingered 90 s after `done`).
 * Issue 13 #8 itself is tested on the session in pairing-hostile.test.ts. The CLI variant (`ecps activate --stdin`) checks that stale questions do not eat the lines.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src-shared/pairing-protocol';
import { spawnCli, type CliChild } from '../support/cli';
import { connectPhone, helloSocket, legitimatePhoneCompletes, listeningServers, startActivation, type ActivationRig } from './support/activation-rig';

let rig: ActivationRig | undefined;
const children: CliChild[] = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function settled(check: () => boolean, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Forged frame, second phone, three wrong codes; resolves with the QR shown after them. */
async function hostileSequence(r: ActivationRig): Promise<string> {
  // 1. A socket that knows the QR says hello, then sends a frame it cannot have sealed.
  const forger = await helloSocket(await r.qr(1));
  forger.send(JSON.stringify({ type: 'sealed', seq: 0, box: toBase64Url(randomBytes(48)) }));
  await new Promise((done) => forger.once('close', done));
  // 2. A phone is in; a second one tries the same QR (refused); the first one leaves.
  const qr2 = await r.qr(2);
  const first = await helloSocket(qr2);
  await expect(connectPhone(qr2)).rejects.toThrow();
  first.close();
  // 3. A phone whose code is typed wrong three times.
  const qr3 = await r.qr(3);
  const third = await connectPhone(qr3);
  await new Promise<void>((done) => third.once('welcome', () => done()));
  const wrong = String((Number(third.code) + 1) % 1_000_000).padStart(6, '0');
  for (let i = 0; i < 3; i++) await r.call('activation.submitCode', { code: wrong });
  expect(r.events.filter((e) => e.type === 'error').map((e) => e.code)).toEqual([
    'PhoneDisconnected',
    'PhoneDisconnected',
    'PairingCodeIncorrect',
    'PairingCodeIncorrect',
    'PairingCodeAttemptsExhausted',
  ]);
  return r.qr(4);
}

describe('activation after a hostile sequence (issue 13 #5, #8)', () => {
  it('the legitimate phone completes as on a quiet start, and no cut session leaves a listener behind', async () => {
    const baseline = listeningServers();
    rig = await startActivation();
    const quietMs = await legitimatePhoneCompletes(rig, await rig.qr(1));
    await rig.close();
    rig = undefined;
    expect(await settled(() => listeningServers() === baseline)).toBe(true);

    rig = await startActivation();
    const qr = await hostileSequence(rig);
    const hostileMs = await legitimatePhoneCompletes(rig, qr);
    // Not a benchmark: the failure this guards against took the QR lifetime (90 s).
    expect(hostileMs).toBeLessThan(quietMs + 5_000);
    // Done: the session ended, so nothing may listen any more — not one port of a cut QR.
    expect(await settled(() => listeningServers() === baseline), `listening: ${listeningServers()} (baseline ${baseline})`).toBe(true);
  }, 60_000);
});

describe('ecps activate --stdin after a phone left before its code was typed (issue 13 #6)', () => {
  it('the next phone’s code, then the two password lines, complete the activation (no stale question)', async () => {
    const a = spawnCli(['activate', '--demo', '--bind', '127.0.0.1', '--json', '--stdin', '--accept-cgu', '--password-iterations', '10000']);
    children.push(a);
    const write = (c: CliChild, line: string) => c.process.stdin!.write(`${line}\n`);
    write(a, '1234');
    const qr1 = await a.waitForLine((l) => l.event === 'qr', 20_000);
    const gone = await helloSocket(String(qr1.payload));
    await a.waitForLine((l) => l.event === 'code-required', 10_000);
    gone.close(); // the first phone leaves before its code is typed
    const qrs = () => a.lines().filter((l) => l.event === 'qr');
    await a.waitForLine(() => qrs().length >= 2, 10_000);
    const from = a.lines().length;
    const phone = spawnCli(['phone', String(qrs()[1]!.payload), '--json', '--stdin']);
    children.push(phone);
    const code = await phone.waitForLine((l) => l.event === 'code', 15_000);
    write(a, String(code.code));
    await a.waitForLine((l) => l.event === 'password-required', 10_000, from);
    write(a, '4827');
    write(a, '4827');
    await phone.waitForLine((l) => l.event === 'password-required', 10_000);
    write(phone, '4827');
    await a.waitForLine((l) => l.event === 'done', 15_000, from);
    const result = await a.exited(15_000);
    expect(result.code, result.stderr).toBe(0);
    expect(a.lines().filter((l) => l.event === 'error').map((l) => l.code)).toEqual(['PhoneDisconnected']);
    expect((await phone.exited(10_000)).code).toBe(0);
  }, 90_000);
});
