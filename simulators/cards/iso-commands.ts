/**
 * The interindustry commands every virtual card understands (ISO/IEC 7816-4 §11):
 * SELECT (A4), READ BINARY (B0), UPDATE BINARY (D6) and MANAGE CHANNEL (70).
 * GET RESPONSE (C0) lives with response delivery, since it is transport behaviour.
 */
import { bytesEqual } from '../../src-shared/hex';
import { SW, type CommandApdu } from './apdu';
import {
  encodeFci,
  encodeFcp,
  findDfsByName,
  followPath,
  type CardFile,
  type DedicatedFile,
  type ElementaryFile,
} from './file-system';
import type { CommandContext, CommandHandler } from './iso-card';
import type { CardResponse } from './response-delivery';

const fail = (sw: number): CardResponse => ({ sw });

function fidOf(data: Uint8Array): number | undefined {
  return data.length === 2 ? (data[0]! << 8) | data[1]! : undefined;
}

/** P1 = 00: the MF, a child of the current DF, the current DF, its parent or the parent's children. */
function selectByFid(ctx: CommandContext, fid: number): CardFile | undefined {
  const here = ctx.channel.currentDf;
  if (fid === 0x3f00) return ctx.card.root;
  if (here.fid === fid) return here;
  const child = here.child(fid);
  if (child) return child;
  const parent = here.parent;
  if (parent && parent.fid === fid) return parent;
  return parent?.child(fid);
}

/** P1 = 04 with occurrence P2 b2-b1: 00 first, 01 last, 02 next, 03 previous (ISO 7816-4 Table 63). */
function selectByName(ctx: CommandContext, name: Uint8Array, occurrence: number): DedicatedFile | undefined {
  if (name.length === 0) return ctx.card.root;
  const matches = findDfsByName(ctx.card.root, name);
  const at = matches.indexOf(ctx.channel.currentDf);
  switch (occurrence) {
    case 0:
      return matches[0];
    case 1:
      return matches[matches.length - 1];
    case 2:
      return at >= 0 ? matches[at + 1] : matches[0];
    default:
      return at > 0 ? matches[at - 1] : undefined;
  }
}

const select: CommandHandler = (cmd, ctx) => {
  if (cmd.p2 & 0xf0) return fail(SW.INCORRECT_P1P2);
  const answer = cmd.p2 & 0x0c; // 00 FCI, 04 FCP, 08 FMD, 0C nothing
  const occurrence = cmd.p2 & 0x03;
  if (answer === 0x08) return fail(SW.INCORRECT_P1P2); // FMD: no card of ours has one
  if (occurrence !== 0 && cmd.p1 !== 0x04) return fail(SW.INCORRECT_P1P2);
  // The CPx refusals come before any lookup: they are about the parameters.
  const behaviour = ctx.card.selectBehaviour;
  if (cmd.p1 === 0x04 && answer === 0x04 && !behaviour.fcpOnSelectByName) return fail(SW.INCORRECT_P1P2);
  let silent = false;
  if (answer === 0x00 && behaviour.refuseFci) {
    silent = cmd.p1 === 0x04 && behaviour.refuseFci.silentFor.some((name) => bytesEqual(name, cmd.data));
    if (!silent) return fail(SW.INCORRECT_P1P2);
  }
  const here = ctx.channel.currentDf;
  let target: CardFile | undefined;
  switch (cmd.p1) {
    case 0x00: {
      if (cmd.data.length === 0) {
        target = ctx.card.root;
        break;
      }
      const fid = fidOf(cmd.data);
      if (fid === undefined) return fail(SW.WRONG_LENGTH);
      target = selectByFid(ctx, fid);
      break;
    }
    case 0x01:
    case 0x02: {
      const fid = fidOf(cmd.data);
      if (fid === undefined) return fail(SW.WRONG_LENGTH);
      // ISO reserves 01 for DFs and 02 for EFs, but OpenSC's IAS-ECC driver selects every
      // FID with P1 = 02 (card-iasecc.c), so a CPx must accept a DF there: any child goes,
      // and 3F00, the MF's reserved FID (ISO 7816-4 §7.1.1), from anywhere: OpenSC selects
      // the MF so before reading the PIN's policy (`iasecc_pin_get_policy`), which worked on
      // real CPx cards (PIN verified through OpenSC, commit 137286858's log).
      target = fid === 0x3f00 ? ctx.card.root : here.child(fid);
      break;
    }
    case 0x03:
      target = here.parent;
      break;
    case 0x04:
      target = selectByName(ctx, cmd.data, occurrence);
      break;
    case 0x08:
    case 0x09: {
      if (cmd.data.length % 2 !== 0) return fail(SW.WRONG_LENGTH);
      let path = cmd.data;
      // A path from the MF excludes 3F00 (ISO 7816-4 §7.1.1); tolerate it, as hosts often send it.
      // From the current DF (P1 = 09) a leading 3F00 names the MF too: the Cryptolib selects
      // CPS3 paths that way, 3F00 included (card-cps3.c `cps3_select_file`).
      const fromMf = path.length >= 2 && path[0] === 0x3f && path[1] === 0x00;
      if (fromMf) path = path.subarray(2);
      const start = cmd.p1 === 0x08 || fromMf ? ctx.card.root : here;
      target = path.length === 0 ? start : followPath(start, path);
      break;
    }
    default:
      return fail(SW.INCORRECT_P1P2);
  }
  if (!target) return fail(SW.FILE_NOT_FOUND);
  if (target.kind === 'DF') {
    ctx.channel.currentDf = target;
    ctx.channel.currentEf = undefined;
  } else {
    ctx.channel.currentDf = target.parent ?? ctx.card.root;
    ctx.channel.currentEf = target;
  }
  if (answer === 0x0c || silent) return { sw: SW.OK };
  const useFcp = answer === 0x04 || ctx.card.selectBehaviour.fciTemplate === 'fcp';
  const options = { securityAttributes: ctx.card.selectBehaviour.securityAttributes ?? false };
  return { data: useFcp ? encodeFcp(target, options) : encodeFci(target, options), sw: SW.OK };
};

/**
 * The EF a READ/UPDATE BINARY works on and the offset: P1 b8 = 1 means "short EF id in
 * P1 b5-b1, offset in P2" (and the EF becomes current); otherwise a 15-bit offset in P1-P2
 * on the current EF.
 */
function binaryTarget(cmd: CommandApdu, ctx: CommandContext): { file: ElementaryFile; offset: number } | CardResponse {
  if (cmd.p1 & 0x80) {
    if (cmd.p1 & 0x60) return fail(SW.INCORRECT_P1P2);
    const sfi = cmd.p1 & 0x1f;
    const file = ctx.channel.currentDf.children.find((c): c is ElementaryFile => c.kind === 'EF' && c.sfi === sfi);
    if (!file) return fail(SW.FILE_NOT_FOUND);
    ctx.channel.currentEf = file;
    return { file, offset: cmd.p2 };
  }
  const file = ctx.channel.currentEf;
  if (!file) return fail(SW.COMMAND_NOT_ALLOWED);
  return { file, offset: ((cmd.p1 & 0x7f) << 8) | cmd.p2 };
}

const readBinary: CommandHandler = (cmd, ctx) => {
  if (cmd.data.length > 0) return fail(SW.WRONG_LENGTH);
  if (cmd.ne === 0) return fail(SW.WRONG_LENGTH);
  const target = binaryTarget(cmd, ctx);
  if ('sw' in target) return target;
  const refused = ctx.card.security.check(target.file.access.read);
  if (refused !== undefined) return fail(refused);
  if (target.offset >= target.file.size) return fail(SW.WRONG_P1P2_OFFSET);
  const end = Math.min(target.file.size, target.offset + cmd.ne);
  const data = target.file.content.slice(target.offset, end);
  // Le = 00 means "up to the end of the file": no warning when the file ends first.
  const short = data.length < cmd.ne && !cmd.leWildcard;
  return { data, sw: short ? SW.END_OF_FILE : SW.OK };
};

const updateBinary: CommandHandler = (cmd, ctx) => {
  if (cmd.data.length === 0) return fail(SW.WRONG_LENGTH);
  const target = binaryTarget(cmd, ctx);
  if ('sw' in target) return target;
  const refused = ctx.card.security.check(target.file.access.update);
  if (refused !== undefined) return fail(refused);
  if (target.offset > target.file.size) return fail(SW.WRONG_P1P2_OFFSET);
  if (target.offset + cmd.data.length > target.file.size) return fail(SW.WRONG_LENGTH);
  target.file.content.set(cmd.data, target.offset);
  return { sw: SW.OK };
};

/** MANAGE CHANNEL: P1 = 00 open (P2 = 00: the card picks and returns the number), 80 close. */
const manageChannel: CommandHandler = (cmd, ctx) => {
  if (cmd.p1 === 0x00) {
    if (cmd.p2 === 0x00) {
      if (cmd.ne === 0) return fail(SW.WRONG_LENGTH);
      const opened = ctx.card.openChannel();
      return opened === undefined ? fail(SW.CHANNEL_NOT_SUPPORTED) : { data: Uint8Array.of(opened), sw: SW.OK };
    }
    if (cmd.p2 >= ctx.card.logicalChannels || ctx.card.isChannelOpen(cmd.p2)) return fail(SW.CHANNEL_NOT_SUPPORTED);
    ctx.card.openChannel(cmd.p2);
    return { sw: SW.OK };
  }
  if (cmd.p1 === 0x80) {
    const which = cmd.p2 === 0 ? ctx.channelNumber : cmd.p2;
    return ctx.card.closeChannel(which) ? { sw: SW.OK } : fail(SW.CHANNEL_NOT_SUPPORTED);
  }
  return fail(SW.INCORRECT_P1P2);
};

export const builtinCommands: Readonly<Record<number, CommandHandler>> = {
  0xa4: select,
  0xb0: readBinary,
  0xd6: updateBinary,
  0x70: manageChannel,
};
