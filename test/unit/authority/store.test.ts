import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEcpsError } from '../../../src-shared/errors';
import { AtomicJsonFile, authorityStateCodec, SandboxAuthority } from '../../../simulators/authority/index';
import { card, cardSignature, PHARMACIST } from './authority-contract';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'ecps-authority-'));

describe('the authority store (atomic JSON file)', () => {
  it('keeps activations across a restart', async () => {
    const file = path.join(tempDir(), 'state.json');
    const first = new SandboxAuthority({ store: await AtomicJsonFile.open(file, authorityStateCodec) });
    const c = await card();
    const started = await first.startWithCard({ certificateDer: c.authentication.certificateDer, cguVersion: '1' });
    const request = await first.requestWithoutCard({ idNat: PHARMACIST });

    const second = new SandboxAuthority({ store: await AtomicJsonFile.open(file, authorityStateCodec) });
    expect((await second.getActivation(request.activationId)).status).toBe('request-sent');
    // The pending challenge survived too: the proof started before the restart completes after it.
    const holder = await second.proveCard({ activationId: started.activationId, signature: cardSignature(c, started.challenge), algorithm: 'RSASSA-PKCS1-v1_5-SHA256' });
    expect(holder.surname).toBe('DUPONT');
    expect(second.outbox().some((m) => m.activationId === request.activationId)).toBe(true);
  });

  it('refuses to open a damaged file instead of starting afresh', async () => {
    const file = path.join(tempDir(), 'state.json');
    writeFileSync(file, '{"version":1,"activations":{},"outbox":[');
    const error = await AtomicJsonFile.open(file, authorityStateCodec).catch((e: unknown) => e);
    expect(isEcpsError(error, 'StoreCorrupt')).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('"outbox":['); // left as it was, for a human to look at
  });

  it('removes temporary files a crash left behind, and writes none that stay', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(`${file}.123.abc.tmp`, '{"half');
    const store = await AtomicJsonFile.open(file, authorityStateCodec);
    await store.update((s) => void (s.outbox = []));
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves the state unchanged when an update throws', async () => {
    const file = path.join(tempDir(), 'state.json');
    const store = await AtomicJsonFile.open(file, authorityStateCodec);
    await expect(
      store.update((s) => {
        s.outbox.push({ id: 'x', channel: 'sms', to: 'x', activationId: 'x', sentAt: new Date().toISOString(), body: 'x' });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(store.read().outbox).toEqual([]);
    const again = await AtomicJsonFile.open(file, authorityStateCodec);
    expect(again.read().outbox).toEqual([]);
  });

  it('applies concurrent updates one after the other', async () => {
    const store = await AtomicJsonFile.open(path.join(tempDir(), 'state.json'), authorityStateCodec);
    const at = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update((s) => void s.outbox.push({ id: String(i), channel: 'sms', to: 't', activationId: 'a', sentAt: at, body: 'b' })),
      ),
    );
    expect(store.read().outbox.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});
