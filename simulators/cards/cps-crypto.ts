/**
 * The cryptographic commands of a CPx card: MANAGE SECURITY ENVIRONMENT (22), INTERNAL
 * AUTHENTICATE (88) and PERFORM SECURITY OPERATION (2A: HASH 90A0, COMPUTE DIGITAL SIGNATURE
 * 9E9A, DECIPHER 8086). The CPS3 and the CPS4 share this engine with different profiles.
 *
 * Facts [C] (domain.md §3, research §2, Cryptolib `card-cps3.c`, `card-cps4.c`,
 * `pkcs15-sec.c`, `cards.h`, `internal.h`):
 * - MSE SET: P1 41 (CPS4 signs with 81), P2 = template A4 (authentication), B6 (signature),
 *   B8 (decipherment), AA (hash); data `80 01 <algo>` and `84|83 01 <key>` (CPS3),
 *   `91 02 <algo> <key|80>` (CPS4 signature), `83 01 <key>` (CPS4 decipher/authentication).
 * - INTERNAL AUTHENTICATE `00 88 00 00 Lc <DigestInfo>`: PKCS#1 v1.5 signature with the
 *   authentication key; input ≤ 40 % of the modulus (Cryptolib SpecInternes §8.2.4).
 * - PSO HASH `00 2A 90 A0 Lc 90 <len> <hash>` ("hash off card", full hash), or
 *   `90 00 80 <len> <message ≤ 64>` (the card hashes), or the intermediate-state form
 *   `90 <state+8> 80 <last block>` (cps-hash.ts); then PSO CDS `00 2A 9E 9A 00`.
 *   CDS with data (`00 2A 9E 9A Lc <hash> 00`) signs that hash (CPS4, Cryptolib `cps4_sign`).
 * - Access rules: every key needs the PIN (OpenSC #2267: `pso_cds:01`, `int_auth:01`,
 *   `pso_decrypt:01`) → 6982 otherwise.
 * The security environment is volatile and per logical channel (lost on reset) [I].
 */
import { createHash, type KeyObject } from 'node:crypto';
import { SW, type CommandApdu } from './apdu';
import { finishIntermediateHash } from './cps-hash';
import { PIN_SW } from './cps-security';
import {
  digestInfo,
  HASH_LENGTH,
  hashByLength,
  modulusBytes,
  rawRsa,
  signPkcs1,
  signPss,
  stripType2,
  type HashName,
} from './cps-rsa';
import type { ChannelState, CommandContext, CommandHandler } from './iso-card';
import type { CardResponse } from './response-delivery';

export type Template = 'AT' | 'DST' | 'CT' | 'HT';

const TEMPLATE_BY_P2: Readonly<Record<number, Template>> = { 0xa4: 'AT', 0xb6: 'DST', 0xb8: 'CT', 0xaa: 'HT' };

export interface CardKey {
  reference: number;
  privateKey: KeyObject;
  /** The PIN that must be verified to use the key. */
  pinReference: number;
  /** The templates (operations) the key may be used in. */
  templates: ReadonlyArray<Exclude<Template, 'HT'>>;
}

export interface SignatureScheme {
  padding: 'pkcs1' | 'pss';
  /** Fixed by the algorithm, or undefined: taken from the hash given. */
  hash?: HashName;
}

export interface CryptoProfile {
  keys: readonly CardKey[];
  /** Accepted algorithm references: for DST the signature scheme, for HT the hash. */
  signatureAlgorithms: Readonly<Record<number, SignatureScheme>>;
  hashAlgorithms: Readonly<Record<number, HashName>>;
  /** Accepted algorithm references in AT and CT (their meaning does not change the result). */
  otherAlgorithms: readonly number[];
  /** CPS3: `81 <cryptogram>` → plaintext; CPS4: a caller-formatted block → raw RSA result. */
  decipher: 'padding-indicator' | 'raw';
  internalAuthenticate: boolean;
  guard?(ctx: CommandContext): number | undefined;
}

interface Environment {
  templates: Partial<Record<Template, { key?: CardKey; algorithm?: number }>>;
  hash?: { algorithm: HashName; digest: Uint8Array };
}

const fail = (sw: number): CardResponse => ({ sw });

/** Simple TLVs with one-byte tags and lengths, as MSE and PSO HASH data are. */
function simpleTlvs(data: Uint8Array): Map<number, Uint8Array> | undefined {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i < data.length; ) {
    if (i + 2 > data.length) return undefined;
    const tag = data[i]!;
    const length = data[i + 1]!;
    if (length > 0x7f || i + 2 + length > data.length) return undefined;
    out.set(tag, data.subarray(i + 2, i + 2 + length));
    i += 2 + length;
  }
  return out;
}

export function cryptoCommands(profile: CryptoProfile): Record<number, CommandHandler> {
  const environments = new WeakMap<ChannelState, Environment>();
  const envOf = (channel: ChannelState): Environment => {
    let env = environments.get(channel);
    if (!env) environments.set(channel, (env = { templates: {} }));
    return env;
  };
  const keyFor = (template: Exclude<Template, 'HT'>, ctx: CommandContext): CardKey | number => {
    const key = envOf(ctx.channel).templates[template]?.key;
    if (!key) return SW.CONDITIONS_NOT_SATISFIED;
    return ctx.card.security.isVerified(key.pinReference) ? key : SW.SECURITY_NOT_SATISFIED;
  };

  const mse: CommandHandler = (cmd, ctx) => {
    const refused = profile.guard?.(ctx);
    if (refused !== undefined) return fail(refused);
    const env = envOf(ctx.channel);
    if (cmd.p1 === 0xf3) {
      env.templates = {}; // RESTORE: back to the (empty) default environment
      env.hash = undefined;
      return fail(SW.OK);
    }
    const template = TEMPLATE_BY_P2[cmd.p2];
    if ((cmd.p1 !== 0x41 && cmd.p1 !== 0x81) || !template) return fail(SW.INCORRECT_P1P2);
    const fields = simpleTlvs(cmd.data);
    if (!fields) return fail(SW.WRONG_DATA);
    let algorithm = fields.get(0x80)?.[0];
    let keyRef = (fields.get(0x84) ?? fields.get(0x83))?.[0];
    const cps4 = fields.get(0x91);
    if (cps4) {
      if (cps4.length !== 2) return fail(SW.WRONG_DATA);
      algorithm = cps4[0];
      keyRef = cps4[1]! & 0x7f; // b8 = "the input is a hash" (Cryptolib cps4_set_security_env)
    }
    if (template === 'HT') {
      if (algorithm === undefined || !(algorithm in profile.hashAlgorithms)) return fail(SW.WRONG_DATA);
      env.templates.HT = { algorithm };
      return fail(SW.OK);
    }
    if (keyRef === undefined) return fail(SW.WRONG_DATA);
    const key = profile.keys.find((k) => k.reference === keyRef);
    if (!key) return fail(PIN_SW.REFERENCE_NOT_FOUND);
    if (!key.templates.includes(template)) return fail(SW.WRONG_DATA);
    const known = template === 'DST' ? algorithm! in profile.signatureAlgorithms : profile.otherAlgorithms.includes(algorithm!);
    if (algorithm !== undefined && !known) return fail(SW.WRONG_DATA);
    env.templates[template] = { key, algorithm };
    return fail(SW.OK);
  };

  const internalAuthenticate: CommandHandler = (cmd, ctx) => {
    const refused = profile.guard?.(ctx);
    if (refused !== undefined) return fail(refused);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return fail(SW.INCORRECT_P1P2);
    const key = keyFor('AT', ctx);
    if (typeof key === 'number') return fail(key);
    const limit = Math.floor((modulusBytes(key.privateKey) * 40) / 100);
    if (cmd.data.length === 0 || cmd.data.length > limit) return fail(SW.WRONG_DATA);
    return { data: signPkcs1(key.privateKey, cmd.data), sw: SW.OK };
  };

  const hash = (cmd: CommandApdu, ctx: CommandContext): CardResponse => {
    const fields = simpleTlvs(cmd.data);
    const first = fields?.get(0x90);
    if (!fields || !first) return fail(SW.WRONG_DATA);
    const env = envOf(ctx.channel);
    const chosen = env.templates.HT?.algorithm;
    const configured = chosen === undefined ? undefined : profile.hashAlgorithms[chosen];
    const last = fields.get(0x80);
    let result: { algorithm: HashName; digest: Uint8Array } | undefined;
    if (!last) {
      const algorithm = configured ?? hashByLength(first.length);
      if (algorithm && HASH_LENGTH[algorithm] === first.length) result = { algorithm, digest: first.slice() };
    } else if (first.length === 0) {
      const algorithm = configured ?? 'sha256';
      if (last.length <= 64) result = { algorithm, digest: new Uint8Array(createHash(algorithm).update(last).digest()) };
    } else {
      const algorithm = configured ?? (first.length === 40 ? 'sha256' : first.length === 28 ? 'sha1' : undefined);
      const digest = algorithm && finishIntermediateHash(algorithm, first, last);
      if (algorithm && digest) result = { algorithm, digest };
    }
    if (!result) return fail(SW.WRONG_DATA);
    env.hash = result;
    return fail(SW.OK);
  };

  const computeSignature = (cmd: CommandApdu, ctx: CommandContext): CardResponse => {
    const key = keyFor('DST', ctx);
    if (typeof key === 'number') return fail(key);
    const env = envOf(ctx.channel);
    const algorithm = env.templates.DST?.algorithm;
    const scheme: SignatureScheme = (algorithm === undefined ? undefined : profile.signatureAlgorithms[algorithm]) ?? {
      padding: 'pkcs1',
    };
    let input = env.hash;
    if (cmd.data.length > 0) {
      const byLength = hashByLength(cmd.data.length);
      if (!byLength) return fail(SW.WRONG_DATA);
      input = { algorithm: byLength, digest: cmd.data };
    }
    if (!input) return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (scheme.hash && scheme.hash !== input.algorithm) return fail(SW.WRONG_DATA);
    env.hash = undefined; // one hash, one signature
    const signature =
      scheme.padding === 'pss'
        ? signPss(key.privateKey, input.algorithm, input.digest)
        : signPkcs1(key.privateKey, digestInfo(input.algorithm, input.digest));
    return { data: signature, sw: SW.OK };
  };

  const decipher = (cmd: CommandApdu, ctx: CommandContext): CardResponse => {
    const key = keyFor('CT', ctx);
    if (typeof key === 'number') return fail(key);
    if (profile.decipher === 'raw') {
      const out = rawRsa(key.privateKey, cmd.data);
      return out ? { data: out, sw: SW.OK } : fail(SW.WRONG_DATA);
    }
    if (cmd.data[0] !== 0x81) return fail(SW.WRONG_DATA);
    const block = rawRsa(key.privateKey, cmd.data.subarray(1));
    const plain = block && stripType2(block);
    return plain ? { data: plain, sw: SW.OK } : fail(SW.WRONG_DATA);
  };

  const pso: CommandHandler = (cmd, ctx) => {
    const refused = profile.guard?.(ctx);
    if (refused !== undefined) return fail(refused);
    const operation = (cmd.p1 << 8) | cmd.p2;
    if (operation === 0x90a0) return hash(cmd, ctx);
    if (operation === 0x9e9a) return computeSignature(cmd, ctx);
    if (operation === 0x8086) return decipher(cmd, ctx);
    return fail(SW.INCORRECT_P1P2);
  };

  const commands: Record<number, CommandHandler> = { 0x22: mse, 0x2a: pso };
  if (profile.internalAuthenticate) commands[0x88] = internalAuthenticate;
  return commands;
}
