/**
 * CardChannel: the one place where the transport rules of CPS-era cards live
 * (architecture.md §3). Above it, callers send logical commands and get whole responses;
 * below it, a `CardConnection` moves raw bytes.
 *
 * Rules applied (ISO 7816-3 §10.3.4 for T=0, ISO 7816-4 §5.1.3, ANS Cryptolib facts):
 * - `61xx` → GET RESPONSE `CLA C0 00 00 xx`, repeated while the card announces more data.
 *   The CPS2ter volet (CLA A0, GSM 11.11 style) announces the same with `9Fxx` (Cryptolib
 *   card-cps.h CPS2TER_SW1_BYTES_AVAILABLE).
 * - `6Cxx` → the same command again with Le = xx, once.
 * - `case4AsCase3`: case-4 commands go out without Le and their data come back through the
 *   61xx path; the Cryptolib forces this ("apdu_masquerade = case4as3") on PC/SC and GALSS.
 * - READ BINARY in chunks of at most `maxReadChunk` (Cryptolib CPS3 max_recv_size = 0xE7).
 * Guards stop a card (or a fake) that announces data forever.
 */
import type { CardConnection } from '../../src-shared/reader-port';
import { concatBytes, toHex } from '../../src-shared/hex';
import { apduCase, encodeCommand, formatStatusWord, parseResponse, type CommandApdu, type ResponseApdu } from './apdu';
import { cardErrors } from './errors';

export interface ExchangeTraceEntry {
  command: Uint8Array;
  response: Uint8Array;
  ms: number;
  /** Copied from `CommandApdu.sensitive`: the tracer must redact the command data. */
  sensitive: boolean;
  /**
   * The exchange failed before an answer came (card pulled, timeout, service down): the
   * error's code; `response` is then empty. A technician must see a VERIFY that got no answer.
   */
  error?: string;
}

export interface CardChannelOptions {
  /** CLA of the helper commands (SELECT, READ BINARY, GET RESPONSE); 01 = logical channel 1 (CPS4 ChipDoc). */
  cla?: number;
  /** Send case-4 commands as case 3 and fetch the data with GET RESPONSE. Default false. */
  case4AsCase3?: boolean;
  /** Largest Le of one READ BINARY. Default 231 (0xE7). */
  maxReadChunk?: number;
  /** Treat `9Fxx` after a CLA A0 command like `61xx` (CPS2ter volet). Default true. */
  cps2terBytesAvailable?: boolean;
  /** Allow extended APDUs when a command needs them. Default false (CPS readers: 271-byte TPDU). */
  extended?: boolean;
  /** Guard: GET RESPONSE commands for one logical command. Default 256. */
  maxGetResponses?: number;
  /** Guard: bytes gathered for one logical command. Default 65536. */
  maxResponseBytes?: number;
  /** Called after each physical exchange (the trace layer redacts sensitive commands). */
  onExchange?: (entry: ExchangeTraceEntry) => void;
}

/** Highest offset READ BINARY can address with P1-P2 (b8 of P1 set would mean SFI). */
export const MAX_READ_OFFSET = 0x7fff;
const DEFAULT_MAX_READ_CHUNK = 0xe7;

export class CardChannel {
  readonly connection: CardConnection;
  readonly cla: number;
  private readonly options: CardChannelOptions;

  constructor(connection: CardConnection, options: CardChannelOptions = {}) {
    this.connection = connection;
    this.options = options;
    this.cla = options.cla ?? 0x00;
    const chunk = this.maxReadChunk;
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 256) {
      throw cardErrors.create('ApduFieldOutOfRange', { details: { field: 'maxReadChunk', value: String(chunk) } });
    }
  }

  /** The same connection and options on another CLA (logical channel): e.g. CPS4 ChipDoc on channel 1. */
  withCla(cla: number): CardChannel {
    return new CardChannel(this.connection, { ...this.options, cla });
  }

  get maxReadChunk(): number {
    return this.options.maxReadChunk ?? DEFAULT_MAX_READ_CHUNK;
  }

  /** One logical command: whole response data, final status word (never throws on a status). */
  async transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    const sent: CommandApdu = this.options.case4AsCase3 && apduCase(cmd) === 4 ? { ...cmd, le: undefined } : cmd;
    // The common case (9000, no 61xx / 6Cxx) awaits one exchange and nothing else: every
    // extra async layer here is paid on every APDU (issue 11 §3).
    let first = await this.exchange(sent);
    if (first.sw1 === 0x6c) first = await this.repeatWithLe(sent, first);
    return this.announcesMoreData(cmd.cla, first.sw1) ? this.collectAvailableData(cmd.cla, first) : first;
  }

  /** GET RESPONSE on its own (ISO 7816-4 §11.3.1), for callers that manage T=0 themselves. */
  getResponse(le: number): Promise<ResponseApdu> {
    return this.exchange({ cla: getResponseCla(this.cla), ins: 0xc0, p1: 0x00, p2: 0x00, le });
  }

  /**
   * SELECT by DF name (AID). P2 = 0C asks for no response data; CPx cards answer 6A86 to
   * P2 = 00 (FCI) and the FCP to P2 = 04 (OpenSC commit 1a3666364, card-iasecc.c).
   */
  selectByAid(aid: Uint8Array, p2 = 0x0c): Promise<ResponseApdu> {
    return this.transmit(selectCommand(this.cla, 0x04, p2, aid));
  }

  /** SELECT by file identifier; P1 00 = any file under the current DF (or MF 3F00). */
  selectByFid(fid: number, options: { p1?: number; p2?: number } = {}): Promise<ResponseApdu> {
    return this.transmit(selectCommand(this.cla, options.p1 ?? 0x00, options.p2 ?? 0x0c, fidBytes([fid])));
  }

  /**
   * SELECT by path: from the MF (P1 08, the leading 3F00 left out, ISO 7816-4 §11.2.2) when
   * the path starts with 3F00, else relative to the current DF (P1 09).
   */
  selectByPath(path: readonly number[] | string, p2 = 0x0c): Promise<ResponseApdu> {
    const fids = typeof path === 'string' ? parseFilePath(path) : [...path];
    if (fids.length === 0) throw cardErrors.create('ApduFieldOutOfRange', { details: { field: 'path', value: 'empty' } });
    if (fids[0] === 0x3f00) {
      if (fids.length === 1) return this.selectByFid(0x3f00, { p2 });
      return this.transmit(selectCommand(this.cla, 0x08, p2, fidBytes(fids.slice(1))));
    }
    return this.transmit(selectCommand(this.cla, 0x09, p2, fidBytes(fids)));
  }

  /**
   * Reads up to `length` bytes of the current EF from `offset`, in chunks. Stops early at the
   * end of the file: 6282 (ISO: end reached before Ne bytes), 6B00 (offset beyond the end)
   * or a short answer. Other status words throw `CardRefused`.
   */
  async readBinary(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_READ_OFFSET) {
      throw cardErrors.create('ReadOffsetOutOfRange', { details: { offset } });
    }
    if (!Number.isInteger(length) || length < 0) {
      throw cardErrors.create('ApduFieldOutOfRange', { details: { field: 'length', value: String(length) } });
    }
    const parts: Uint8Array[] = [];
    let read = 0;
    while (read < length) {
      const at = offset + read;
      if (at > MAX_READ_OFFSET) throw cardErrors.create('ReadOffsetOutOfRange', { details: { offset: at } });
      const want = Math.min(this.maxReadChunk, length - read);
      const r = await this.transmit({ cla: this.cla, ins: 0xb0, p1: at >> 8, p2: at & 0xff, le: want });
      if (r.sw === 0x6b00) break;
      if (r.sw !== 0x9000 && r.sw !== 0x6282) throw refused('READ BINARY', r);
      parts.push(r.data.length > want ? r.data.subarray(0, want) : r.data);
      read += Math.min(r.data.length, want);
      if (r.sw === 0x6282 || r.data.length < want) break;
    }
    return concatBytes(...parts);
  }

  /** The whole current EF (at most 32 768 bytes, the reach of READ BINARY with P1-P2 offsets). */
  readWholeFile(): Promise<Uint8Array> {
    return this.readBinary(0, MAX_READ_OFFSET + 1);
  }

  private async collectAvailableData(commandCla: number, first: ResponseApdu): Promise<ResponseApdu> {
    const cap = this.options.maxResponseBytes ?? 65536;
    const maxRounds = this.options.maxGetResponses ?? 256;
    const parts = [first.data];
    let total = first.data.length;
    let response = first;
    let rounds = 0;
    while (this.announcesMoreData(commandCla, response.sw1)) {
      if (++rounds > maxRounds) {
        throw cardErrors.create('TooManyGetResponses', { details: { rounds: maxRounds, sw: formatStatusWord(response.sw) } });
      }
      const le = response.sw2 === 0 ? 256 : response.sw2;
      response = await this.exchangeCorrectingLe({ cla: getResponseCla(commandCla), ins: 0xc0, p1: 0x00, p2: 0x00, le });
      total += response.data.length;
      if (total > cap) throw cardErrors.create('ResponseTooLarge', { details: { bytes: total, cap } });
      parts.push(response.data);
    }
    return { data: concatBytes(...parts), sw1: response.sw1, sw2: response.sw2, sw: response.sw };
  }

  private announcesMoreData(commandCla: number, sw1: number): boolean {
    if (sw1 === 0x61) return true;
    return sw1 === 0x9f && commandCla === 0xa0 && this.options.cps2terBytesAvailable !== false;
  }

  /** 6Cxx: "wrong Le, xx bytes available" — repeat once with the exact Le (ISO 7816-3 §10.3.4). */
  private async exchangeCorrectingLe(cmd: CommandApdu): Promise<ResponseApdu> {
    const response = await this.exchange(cmd);
    return response.sw1 === 0x6c ? this.repeatWithLe(cmd, response) : response;
  }

  private async repeatWithLe(cmd: CommandApdu, response: ResponseApdu): Promise<ResponseApdu> {
    const again = await this.exchange({ ...cmd, le: response.sw2 === 0 ? 256 : response.sw2 });
    if (again.sw1 === 0x6c) {
      throw cardErrors.create('WrongLengthRepeated', { details: { ins: toHex([cmd.ins]), sw: formatStatusWord(again.sw) } });
    }
    return again;
  }

  private exchange(cmd: CommandApdu): Promise<ResponseApdu> {
    let command: Uint8Array;
    try {
      command = encodeCommand(cmd, { extended: this.options.extended === true });
    } catch (error) {
      return Promise.reject(error); // a promise-returning method never throws synchronously
    }
    // Untraced, nothing to wipe: no async frame of our own around the connection's promise.
    if (cmd.sensitive !== true && !this.options.onExchange) return this.connection.transmit(command).then(parseResponse);
    return this.exchangeTraced(command, cmd.sensitive === true);
  }

  private async exchangeTraced(command: Uint8Array, sensitive: boolean): Promise<ResponseApdu> {
    const trace = this.options.onExchange;
    try {
      if (!trace) return parseResponse(await this.connection.transmit(command));
      const started = performance.now();
      let raw: Uint8Array;
      try {
        raw = await this.connection.transmit(command);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        trace({ command, response: new Uint8Array(0), ms: performance.now() - started, sensitive, error: typeof code === 'string' ? code : 'Error' });
        throw error;
      }
      trace({ command, response: raw, ms: performance.now() - started, sensitive });
      return parseResponse(raw);
    } finally {
      // Our encoded copy of a PIN block: wiped once sent (the tracer has already redacted it).
      if (sensitive) command.fill(0);
    }
  }
}

/**
 * GET RESPONSE must travel on the logical channel of the command it completes
 * (ISO 7816-4 §5.4.1): keep the channel bits, drop chaining and secure-messaging bits.
 * Proprietary classes (A0 on the CPS2ter volet) keep their CLA.
 */
export function getResponseCla(cla: number): number {
  if ((cla & 0xe0) === 0x00) return cla & 0x03; // first interindustry: channels 0-3 in b2-b1
  if ((cla & 0xc0) === 0x40) return 0x40 | (cla & 0x0f); // further interindustry: channels 4-19
  return cla;
}

/** `3F00/D003` or `3F00D003` → [0x3F00, 0xD003]. */
export function parseFilePath(path: string): number[] {
  const clean = path.replace(/[\s/:]/g, '');
  if (!/^([0-9a-fA-F]{4})+$/.test(clean)) {
    throw cardErrors.create('ApduFieldOutOfRange', { details: { field: 'path', value: path } });
  }
  return clean.match(/.{4}/g)!.map((fid) => parseInt(fid, 16));
}

function selectCommand(cla: number, p1: number, p2: number, data: Uint8Array): CommandApdu {
  // P2 b4-b3 = 11: no response data (case 3); otherwise FCI/FCP/FMD come back (case 4).
  const noData = (p2 & 0x0c) === 0x0c;
  return noData ? { cla, ins: 0xa4, p1, p2, data } : { cla, ins: 0xa4, p1, p2, data, le: 256 };
}

function fidBytes(fids: readonly number[]): Uint8Array {
  const out = new Uint8Array(fids.length * 2);
  fids.forEach((fid, i) => {
    if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff) {
      throw cardErrors.create('ApduFieldOutOfRange', { details: { field: 'fid', value: String(fid) } });
    }
    out[2 * i] = fid >> 8;
    out[2 * i + 1] = fid & 0xff;
  });
  return out;
}

export function refused(what: string, r: ResponseApdu) {
  return cardErrors.create('CardRefused', { details: { command: what, sw: formatStatusWord(r.sw) } });
}
