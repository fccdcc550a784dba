/**
 * Writes the sandbox PKI fixtures (TEST keys and CA certificates) under simulators/pki/fixtures/.
 *
 *   node bin/run-ts.mjs simulators/pki/generate-fixtures.ts            # only what is missing
 *   node bin/run-ts.mjs simulators/pki/generate-fixtures.ts --force    # everything anew
 *
 * Run once; the output is committed (see sandbox.ts for why). Regenerating with --force
 * changes the trust anchor: every certificate issued before no longer verifies, and any copy
 * of the old root (a user's configured anchors, a saved report) becomes stale.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { caKeysFrom, createIssuingCaCertificate, createRootCertificate } from './authorities';
import { CARD_KEY_POOL_SIZE, FIXTURE_FILES, FIXTURES_DIR } from './sandbox';
import { x509 } from './x509';

const force = process.argv.includes('--force');
const path = (name: keyof typeof FIXTURE_FILES) => FIXTURES_DIR + FIXTURE_FILES[name];
const wanted = (name: keyof typeof FIXTURE_FILES) => force || !existsSync(path(name));

function newRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey;
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function keyFile(name: 'rootKey' | 'issuingCaKey'): KeyObject {
  if (wanted(name)) {
    const key = newRsaKey();
    writeFileSync(path(name), pkcs8Pem(key));
    console.log(`wrote ${FIXTURE_FILES[name]}`);
    return key;
  }
  return createPrivateKey(readFileSync(path(name), 'utf8'));
}

mkdirSync(FIXTURES_DIR, { recursive: true });
const started = performance.now();

const rootNew = wanted('rootKey');
const rootKeys = await caKeysFrom(keyFile('rootKey'));
const issuingNew = wanted('issuingCaKey');
const issuingKeys = await caKeysFrom(keyFile('issuingCaKey'));

// A certificate is remade whenever its key or its issuer's key is new, so they never disagree.
let root: x509.X509Certificate;
if (rootNew || wanted('rootCert')) {
  root = await createRootCertificate(rootKeys);
  writeFileSync(path('rootCert'), root.toString('pem') + '\n');
  console.log(`wrote ${FIXTURE_FILES.rootCert}`);
} else {
  root = new x509.X509Certificate(readFileSync(path('rootCert'), 'utf8'));
}
if (rootNew || issuingNew || wanted('issuingCaCert')) {
  const issuing = await createIssuingCaCertificate(issuingKeys, { keys: rootKeys, certificate: root });
  writeFileSync(path('issuingCaCert'), issuing.toString('pem') + '\n');
  console.log(`wrote ${FIXTURE_FILES.issuingCaCert}`);
}

if (wanted('cardKeys')) {
  const pems = Array.from({ length: CARD_KEY_POOL_SIZE }, () => pkcs8Pem(newRsaKey()));
  writeFileSync(path('cardKeys'), pems.join(''));
  console.log(`wrote ${FIXTURE_FILES.cardKeys} (${CARD_KEY_POOL_SIZE} RSA-2048 keys)`);
}

console.log(`sandbox PKI fixtures ready in ${FIXTURES_DIR} (${Math.round(performance.now() - started)} ms)`);
