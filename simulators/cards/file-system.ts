/**
 * The file tree of an ISO 7816-4 card: a master file (MF, 3F00), dedicated files (DF, which
 * may carry a DF name = application identifier) and transparent elementary files (EF).
 *
 * Each EF carries its access conditions: `always`, `never`, or "after VERIFY of PIN n"
 * (`{ pin: n }`). The card's security state decides whether they are met, which is where
 * the PIN logic of the CPS (next issue) plugs in without touching the file code.
 */
import { bytesEqual, toHex } from '../../src-shared/hex';
import { tlv } from './tlv';

export type AccessRule = 'always' | 'never' | { pin: number };

export interface AccessRules {
  read: AccessRule;
  update: AccessRule;
}

export class ElementaryFile {
  readonly kind = 'EF' as const;
  parent: DedicatedFile | undefined;
  /** The file content; its length is the file size (transparent EFs have a fixed size). */
  content: Uint8Array;

  constructor(
    readonly fid: number,
    content: Uint8Array,
    readonly access: AccessRules,
    /** Short EF identifier (1–30), for READ BINARY with P1 b8 = 1. */
    readonly sfi?: number,
  ) {
    this.content = content;
  }

  get size(): number {
    return this.content.length;
  }
}

export class DedicatedFile {
  readonly kind = 'DF' as const;
  parent: DedicatedFile | undefined;
  readonly children: Array<DedicatedFile | ElementaryFile> = [];

  constructor(
    readonly fid: number | undefined,
    /** DF name: the application identifier selected with P1 = 04. */
    readonly name?: Uint8Array,
    /** A card-specific FCI (e.g. EMV's), returned instead of the generic one. */
    readonly customFci?: Uint8Array,
  ) {}

  add(...files: Array<DedicatedFile | ElementaryFile>): this {
    for (const file of files) {
      file.parent = this;
      this.children.push(file);
    }
    return this;
  }

  child(fid: number): DedicatedFile | ElementaryFile | undefined {
    return this.children.find((c) => c.fid === fid);
  }

  /** Depth-first walk, this DF first: the order used for DF-name occurrence rules. */
  *walk(): Generator<DedicatedFile | ElementaryFile> {
    yield this;
    for (const c of this.children) {
      if (c.kind === 'DF') yield* c.walk();
      else yield c;
    }
  }
}

export type CardFile = DedicatedFile | ElementaryFile;

/** Builders that read like the card's file map. */
export function mf(...children: CardFile[]): DedicatedFile {
  return new DedicatedFile(0x3f00).add(...children);
}

export function df(
  spec: { fid?: number; name?: Uint8Array; fci?: Uint8Array },
  ...children: CardFile[]
): DedicatedFile {
  return new DedicatedFile(spec.fid, spec.name, spec.fci).add(...children);
}

export function ef(
  fid: number,
  content: Uint8Array,
  access: Partial<AccessRules> & { sfi?: number } = {},
): ElementaryFile {
  return new ElementaryFile(fid, content, { read: access.read ?? 'always', update: access.update ?? 'never' }, access.sfi);
}

/** All DFs whose name starts with `name` (ISO allows right-truncated DF names), in tree order. */
export function findDfsByName(root: DedicatedFile, name: Uint8Array): DedicatedFile[] {
  const exact: DedicatedFile[] = [];
  const partial: DedicatedFile[] = [];
  for (const f of root.walk()) {
    if (f.kind !== 'DF' || !f.name || f.name.length < name.length) continue;
    if (bytesEqual(f.name, name)) exact.push(f);
    else if (bytesEqual(f.name.subarray(0, name.length), name)) partial.push(f);
  }
  return [...exact, ...partial];
}

/** Follows a path of FIDs (2 bytes each) from `start`; undefined if any step is missing. */
export function followPath(start: DedicatedFile, path: Uint8Array): CardFile | undefined {
  if (path.length === 0 || path.length % 2 !== 0) return undefined;
  let here: CardFile = start;
  for (let i = 0; i < path.length; i += 2) {
    if (here.kind !== 'DF') return undefined;
    const next: CardFile | undefined = here.child((path[i]! << 8) | path[i + 1]!);
    if (!next) return undefined;
    here = next;
  }
  return here;
}

export function fidBytes(fid: number): Uint8Array {
  return Uint8Array.of(fid >> 8, fid & 0xff);
}

/** `3F00/0001/D003` style, for labels and error details. */
export function pathText(file: CardFile): string {
  const parts: string[] = [];
  for (let f: CardFile | undefined = file; f; f = f.parent) {
    const name = f.kind === 'DF' ? f.name : undefined;
    parts.unshift(f.fid !== undefined ? toHex(fidBytes(f.fid), '') : name ? `[${toHex(name, '')}]` : '?');
  }
  return parts.join('/');
}

/** Options of the FCP encoding that depend on the card profile. */
export interface FcpOptions {
  /** Append the IAS-ECC compact security attributes (8C, contact interface). */
  securityAttributes?: boolean;
}

/** One security condition byte of an IAS-ECC compact SA (iasecc-sdo.h `IASECC_SCB_*`). */
function securityConditionByte(rule: AccessRule): number {
  if (rule === 'always') return 0x00;
  if (rule === 'never') return 0xff;
  // [I] USER_AUTH (0x10) with the reference in b4-b1: we take the PIN reference for the SE one.
  return 0x10 | (rule.pin & 0x0f);
}

/**
 * IAS-ECC compact security attributes, tag 8C: an access-mode byte, then one security
 * condition byte per access-mode bit set, b7 first. EF: b2 UPDATE, b1 READ; DF: b2 CREATE,
 * b7 DELETE [C OpenSC card-iasecc.c `iasecc_process_fci`: it refuses an FCP without 8C or
 * A1/8C]. Our DFs allow neither creation nor deletion (FF).
 */
export function compactSecurityAttributes(file: CardFile): Uint8Array {
  if (file.kind === 'EF') {
    return tlv(0x8c, Uint8Array.of(0x03, securityConditionByte(file.access.update), securityConditionByte(file.access.read)));
  }
  return tlv(0x8c, Uint8Array.of(0x42, 0xff, 0xff));
}

/**
 * File control parameters (FCP, tag 62, ISO 7816-4 §5.3.3): size (80), descriptor (82: 01
 * transparent EF, 38 DF), FID (83), DF name (84), short EF id (88), life cycle (8A, 05 =
 * operational activated), and on IAS-ECC cards the compact security attributes (8C).
 */
export function fcpContent(file: CardFile, options: FcpOptions = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (file.kind === 'EF') {
    out.push(tlv(0x80, Uint8Array.of(file.size >> 8, file.size & 0xff)));
    out.push(tlv(0x82, Uint8Array.of(0x01)));
  } else {
    out.push(tlv(0x82, Uint8Array.of(0x38)));
  }
  if (file.fid !== undefined) out.push(tlv(0x83, fidBytes(file.fid)));
  if (file.kind === 'DF' && file.name) out.push(tlv(0x84, file.name));
  if (file.kind === 'EF' && file.sfi !== undefined) out.push(tlv(0x88, Uint8Array.of(file.sfi << 3)));
  out.push(tlv(0x8a, Uint8Array.of(0x05)));
  if (options.securityAttributes) out.push(compactSecurityAttributes(file));
  return out;
}

export function encodeFcp(file: CardFile, options: FcpOptions = {}): Uint8Array {
  return tlv(0x62, ...fcpContent(file, options));
}

/** FCI template (tag 6F): the card's own FCI when it has one, else the FCP objects. */
export function encodeFci(file: CardFile, options: FcpOptions = {}): Uint8Array {
  if (file.kind === 'DF' && file.customFci) return file.customFci;
  return tlv(0x6f, ...fcpContent(file, options));
}
