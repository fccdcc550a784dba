/**
 * Reads the PKCS#15 structure of a CPS the way PKCS #15 v1.1 §5.4 says a host finds it:
 * EF.DIR (3F00/2F00) names the application (AID, and its path when given), EF.ODF (5031 in
 * the application DF) lists the directory files, which list the objects.
 *
 * When identification already selected the CPx AID successfully, EF.DIR is skipped (see
 * `applicationConfirmed`).
 *
 * Fewest APDUs (the card's T=0 answers to SELECT with FCP cost a GET RESPONSE):
 * - SELECT with P2 = 0C (no answer data), then READ BINARY in 231-byte chunks;
 * - a file whose size is not given is read until a short answer (1 READ for the small
 *   directory files); a certificate is read up to the length in its DER header, so a
 *   fixed-size EF padded after the certificate costs no extra READ;
 * - absolute paths (from EF.DIR's path or the ODF) are selected from the MF in one APDU;
 *   relative ones after one SELECT by AID, skipped while the application DF is still current;
 * - every file is cached for the card session (one CpsCard = one card insertion).
 */
import { isEcpsError } from '../../../src-shared/errors';
import { toHex } from '../../../src-shared/hex';
import { formatStatusWord } from '../apdu';
import type { CardChannel } from '../channel';
import { encodedLength } from './der';
import { cpsError } from './errors';
import { SerialQueue } from '../../../src-shared/serial-queue';
import {
  findApplication,
  parseAuthDirectory,
  parseCertificateDirectory,
  parseEfDir,
  parseOdf,
  parsePrivateKeyDirectory,
  parseTokenInfo,
  type CardApplication,
  type CertificateObject,
  type FilePath,
  type ObjectDirectory,
  type PinObject,
  type PrivateKeyObject,
  type TokenInfo,
} from './pkcs15-objects';

const EF_DIR = [0x3f00, 0x2f00];
/** PKCS #15 §5.5.1: EF(ODF) has file identifier 5031 in the PKCS#15 application DF. */
const EF_ODF = 0x5031;
/** PKCS #15 §5.5.2: EF(TokenInfo) is 5032 when the ODF does not say otherwise (it never does). */
const EF_TOKEN_INFO = 0x5032;

export interface Pkcs15ReaderOptions {
  /** AID (or its leading bytes) of the application to open: the CPx IAS one. */
  aid: Uint8Array;
  /**
   * The card already answered 9000 to a SELECT of exactly this AID (identify.ts): skip EF.DIR
   * and select the application by AID (ISO 7816-4 §8.2.1.1: EF.DIR serves to *discover*
   * applications; PKCS #15 §5.4 lets a card-aware host select the application directly).
   * Saves 2 APDUs; EF.DIR would only add the application's path, which saves 1 at most.
   */
  applicationConfirmed?: boolean;
  /** Told after every SELECT this reader sends (the caller tracks the current DF too). */
  onSelect?: () => void;
}

export class Pkcs15Reader {
  private readonly files = new Map<string, Promise<Uint8Array>>();
  private app: Promise<CardApplication> | undefined;
  private odfCache: Promise<ObjectDirectory> | undefined;
  private applicationIsCurrent = false;
  /** SELECT and READ of one file must not interleave with another file's. */
  private readonly queue = new SerialQueue();

  constructor(
    private readonly channel: CardChannel,
    private readonly options: Pkcs15ReaderOptions,
  ) {}

  /** Call after any SELECT made outside this reader (the current DF is no longer known). */
  forgetSelection(): void {
    this.applicationIsCurrent = false;
  }

  /** Makes the application DF current (before MSE: the key SDOs live there, research §2). */
  selectApplication(): Promise<void> {
    return this.application().then((app) =>
      this.queue.run(async () => {
        if (this.applicationIsCurrent) return;
        const r = app.path?.absolute ? await this.channel.selectByPath(app.path.fids) : await this.channel.selectByAid(app.aid);
        this.options.onSelect?.();
        if (r.sw !== 0x9000) throw cpsError('CpsApplicationMissing', { details: { aid: toHex(app.aid, ''), sw: formatStatusWord(r.sw) } });
        this.applicationIsCurrent = true;
      }),
    );
  }

  /** The CPx application as EF.DIR lists it. */
  application(): Promise<CardApplication> {
    if (this.options.applicationConfirmed) return Promise.resolve({ aid: this.options.aid });
    this.app ??= this.readFile({ fids: EF_DIR, absolute: true }).then((content) => {
      const found = findApplication(parseEfDir(content), this.options.aid);
      if (!found) throw cpsError('CpsApplicationMissing', { details: { aid: toHex(this.options.aid, '') } });
      return found;
    });
    const app = this.app;
    app.catch(() => {
      if (this.app === app) this.app = undefined; // a failed read is not cached
    });
    return app;
  }

  objectDirectory(): Promise<ObjectDirectory> {
    this.odfCache ??= this.readFile({ fids: [EF_ODF], absolute: false }).then(parseOdf);
    const odf = this.odfCache;
    odf.catch(() => {
      if (this.odfCache === odf) this.odfCache = undefined;
    });
    return odf;
  }

  async tokenInfo(): Promise<TokenInfo> {
    return parseTokenInfo(await this.readFile({ fids: [EF_TOKEN_INFO], absolute: false }));
  }

  async certificates(): Promise<CertificateObject[]> {
    const odf = await this.objectDirectory();
    const out: CertificateObject[] = [];
    for (const path of odf.certificates) out.push(...parseCertificateDirectory(await this.readFile(path)));
    return out;
  }

  async privateKeys(): Promise<PrivateKeyObject[]> {
    const odf = await this.objectDirectory();
    const out: PrivateKeyObject[] = [];
    for (const path of odf.privateKeys) out.push(...parsePrivateKeyDirectory(await this.readFile(path)));
    return out;
  }

  async pins(): Promise<PinObject[]> {
    const odf = await this.objectDirectory();
    const out: PinObject[] = [];
    for (const path of odf.authObjects) out.push(...parseAuthDirectory(await this.readFile(path)));
    return out;
  }

  /** A certificate's DER, read no further than its own length. */
  readCertificate(path: FilePath): Promise<Uint8Array> {
    return this.readFile(path, { derObject: true });
  }

  /** Selects and reads a file (cached). Concurrent calls share one read. */
  readFile(path: FilePath, how: { derObject?: boolean } = {}): Promise<Uint8Array> {
    const key = `${path.absolute ? '' : 'app:'}${path.fids.map((f) => f.toString(16)).join('/')}@${path.index ?? 0}+${path.length ?? ''}`;
    let pending = this.files.get(key);
    if (!pending) {
      // The application is looked up first, outside the queue (it reads EF.DIR through it).
      const ready = path.absolute ? Promise.resolve() : this.application();
      pending = ready.then(() => this.queue.run(async () => {
        await this.select(path);
        return this.read(path, how.derObject === true);
      }));
      // A failed read is not cached: the next call tries again.
      pending.catch(() => this.files.delete(key));
      this.files.set(key, pending);
    }
    return pending;
  }

  private async select(path: FilePath): Promise<void> {
    let fids = path.fids;
    if (!path.absolute) {
      const app = await this.application();
      if (app.path?.absolute) {
        fids = [...app.path.fids, ...path.fids];
      } else if (!this.applicationIsCurrent) {
        const r = await this.channel.selectByAid(app.aid);
        this.options.onSelect?.();
        if (r.sw !== 0x9000) throw cpsError('CpsApplicationMissing', { details: { aid: toHex(app.aid, ''), sw: formatStatusWord(r.sw) } });
        this.applicationIsCurrent = true;
      }
    }
    const absolute = fids[0] === 0x3f00;
    const r = await this.channel.selectByPath(fids);
    this.options.onSelect?.();
    // Selecting an EF leaves its DF current: under the application unless we went elsewhere.
    this.applicationIsCurrent = !absolute ? this.applicationIsCurrent : false;
    if (r.sw !== 0x9000) {
      throw cpsError('CpsFileUnreadable', { params: { sw: formatStatusWord(r.sw) }, details: { path: fidsText(fids), sw: formatStatusWord(r.sw) } });
    }
  }

  private async read(path: FilePath, derObject: boolean): Promise<Uint8Array> {
    const offset = path.index ?? 0;
    try {
      if (path.length !== undefined) return await this.channel.readBinary(offset, path.length);
      if (!derObject) return await this.channel.readBinary(offset, 0x8000 - offset);
      const chunk = this.channel.maxReadChunk;
      const head = await this.channel.readBinary(offset, chunk);
      const total = encodedLength(head);
      if (head.length < chunk || total === undefined || total <= head.length) return head.subarray(0, total ?? head.length);
      const rest = await this.channel.readBinary(offset + head.length, total - head.length);
      const out = new Uint8Array(head.length + rest.length);
      out.set(head);
      out.set(rest, head.length);
      return out;
    } catch (error) {
      if (isEcpsError(error, 'CardRefused')) {
        const sw = String(error.details.sw ?? '');
        throw cpsError('CpsFileUnreadable', { params: { sw }, details: { path: fidsText(path.fids), sw }, cause: error });
      }
      throw error;
    }
  }
}

function fidsText(fids: readonly number[]): string {
  return fids.map((f) => toHex([f >> 8, f & 0xff], '')).join('/');
}
