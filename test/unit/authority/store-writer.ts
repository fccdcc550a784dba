/**
 * Child process of the crash test (test/integration/authority-durability.test.ts): writes
 * activations through the real sandbox authority and its atomic JSON store, as fast as it
 * can, printing each activation id once its write is acknowledged, until it is killed.
 *   node bin/run-ts.mjs test/unit/authority/store-writer.ts STATE_FILE
 */
import { AtomicJsonFile, authorityStateCodec, SandboxAuthority } from '../../../simulators/authority/index';
import { TEST_HOLDERS } from '../../../simulators/pki/index';

const file = process.argv[2];
if (!file) throw new Error('usage: store-writer.ts STATE_FILE');
const authority = new SandboxAuthority({ store: await AtomicJsonFile.open(file, authorityStateCodec) });
// A large QR payload makes every write bigger, so a kill is likely to land in the middle of one.
const qrPayload = 'Q'.repeat(2048);
process.stdout.write('ready\n');
for (;;) {
  const { activationId } = await authority.requestWithoutCard({ idNat: TEST_HOLDERS.pharmacist.rpps, qrPayload });
  process.stdout.write(`${activationId}\n`);
}
