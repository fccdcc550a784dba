/**
 * ReaderPort over pcsc-mini: reader monitoring, ATRs, connections, and recovery when pcscd
 * stops or restarts.
 *
 * Measured behaviour this file is built around (docs/research/pcsc-mini-on-linux.md):
 * - When pcscd stops, the Client emits one `error` (CommError) and never recovers, even after
 *   pcscd is back; a NEW Client works at once. `new Client().start()` throws NoService
 *   synchronously while pcscd is down, and start() may be retried on that same Client.
 * - A dead Client kills the process when it is garbage-collected (see native.ts: we keep
 *   every started Client referenced for the life of the process).
 * - Open Card handles answer NoService forever after a restart: their connections are closed
 *   (`ServiceUnavailable`) and callers connect again.
 * - The reader `change` event carries a wrong ATR on Linux: the ATR comes from card.state()
 *   through a brief SHARED connection made when a card is inserted.
 * - Status `raw` holds an event counter in its upper bits: only has()/hasAny() are used.
 * - pcsc-mini monitors at most MAX_READERS (4) readers; more are not seen at all.
 * - Client.start() and Client.stop() are synchronous native calls that wait for pcscd with no
 *   timeout, on the main thread: each is made only after pcscd answered an asynchronous probe
 *   (service-probe.ts), never while its socket exists but it is not answering yet (starting,
 *   frozen) — that froze the event loop, and deadlocked a process that also serves the card.
 */
import type {
  CardConnection,
  ConnectOptions,
  ReaderEvent,
  ReaderPort,
  ReaderSnapshot,
} from '../../src-shared/reader-port';
import { isEcpsError } from '../../src-shared/errors';
import { pcscErrors, fromNativeError, nativeCodeOf } from './errors';
import type { PcscCardConnection, ConnectionHooks } from './card-connection';
import { keepClientAlive, pcsc, type NativeClient, type NativeReader, type NativeReaderStatusFlags } from './native';
import { plausibleEventAtr, probeAtr } from './native-calls';
import { openConnection } from './open-connection';
import { backoffDelay, type ResolvedOptions } from './options';
import { ReaderRecord } from './reader-record';
import { nativeCallWillReturn, probePcscService } from './service-probe';

/**
 * Initial reader events arrive ~10 ms after start() (seen past 150 ms on a loaded machine).
 * With no event at all, this much silence means there is no reader (only that error path
 * waits this long). The monitor thread reports every reader it knows in one batch (one
 * SCardGetStatusChange; measured: all within 0.3 ms on a quiet machine), so once a first event
 * came, a short silence means the list is complete — `ecps readers` no longer waits 150 ms for
 * nothing (issue 11 §2: that wait was a third of its run).
 */
const SETTLE_QUIET_MS = 500;
/**
 * Once the first event came: twice the time it took to come, at least 15 ms, at most 300 ms.
 * On a quiet machine the batch is complete in well under a millisecond; on a loaded one (load
 * 10 on 2 cores) the second reader was seen to come more than 15 ms after the first — and the
 * first event is then late too, which this scales with.
 */
const SETTLE_QUIET_AFTER_EVENT_MIN_MS = 15;
const SETTLE_QUIET_AFTER_EVENT_MAX_MS = 300;
const SETTLE_MAX_MS = 2000;
/** Pause between our last card activity and Client.stop() (see stop()). */
const STOP_SETTLE_MS = 100;

export class PcscReaderPort implements ReaderPort {
  readonly kind = 'pcsc' as const;
  readonly #opts: ResolvedOptions;
  #client: NativeClient | undefined;
  /** A Client whose start() threw (pcscd down); start() is retried on it. */
  #pendingClient: NativeClient | undefined;
  readonly #records = new Map<string, ReaderRecord>();
  /** Readers known before pcscd went away, and whether they held a card: re-announced after. */
  readonly #lostReaders = new Map<string, boolean>();
  readonly #listeners = new Set<(event: ReaderEvent) => void>();
  readonly #connections = new Set<PcscCardConnection>();
  /** Readers with a native call that never returned, and our own handles, by reader. */
  readonly #stuck = new Map<string, number>();
  readonly #ownHandles = new Map<string, number>();
  #started = false;
  /** Bumped by start() and stop(): an attempt begun before either gives up after its probe. */
  #generation = 0;
  /** A Client start in progress (probe pending): no second one meanwhile. */
  #connecting = false;
  #serviceUp = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryAttempt = 0;
  #lastEventAt = 0;
  /** The first reader event since the current #settle() began. */
  #firstEventAt: number | undefined;

  constructor(options: ResolvedOptions) {
    this.#opts = options;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const generation = ++this.#generation;
    if (await this.#startClient()) {
      await this.#settle();
    } else if (generation === this.#generation) {
      this.#emit({ type: 'service-down', error: pcscErrors.create('ServiceUnavailable') });
      this.#scheduleRetry();
    }
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#generation++;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#serviceUp = false;
    this.#records.clear();
    this.#lostReaders.clear();
    await Promise.all([...this.#connections].map((c) => c.disconnect()));
    // pcsc-mini's Client.stop() runs SCardCancel then SCardReleaseContext ON THE MAIN THREAD.
    // Observed once in ~10 test runs (gdb): the cancel was lost and SCardReleaseContext
    // blocked the whole event loop on the context lock held by the monitor thread, which was
    // back in an infinite SCardGetStatusChange — until the next reader event. It looks like a
    // cancel landing between two waits of the monitor, right after reader activity (our own
    // disconnects wake it). Letting the monitor settle first makes that window much smaller;
    // it cannot be closed from JavaScript (upstream fix needed in pcsc-mini).
    if (!client) return;
    const [probe] = await Promise.all([
      probePcscService({ timeoutMs: this.#opts.serviceProbeTimeoutMs }),
      new Promise((resolve) => setTimeout(resolve, STOP_SETTLE_MS)),
    ]);
    // stop() talks to pcscd on the main thread with no timeout: with pcscd frozen it would
    // hang the application (on quit). The Client stays referenced (native.ts) and idle.
    if (!nativeCallWillReturn(probe)) {
      this.#opts.logger.warn?.('pcsc: pcscd is not answering; its client is left open', { probe });
      return;
    }
    try {
      client.stop();
    } catch (err) {
      this.#opts.logger.debug?.('pcsc: client.stop() failed', { code: nativeCodeOf(err) });
    }
  }

  readers(): ReaderSnapshot[] {
    return [...this.#records.values()].map((rec) => rec.snapshot((this.#ownHandles.get(rec.name) ?? 0) > 0));
  }

  serviceAvailable(): boolean {
    return this.#serviceUp;
  }

  onEvent(listener: (event: ReaderEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const details = { reader, operation: 'connect' };
    if (!this.#serviceUp) throw pcscErrors.create('ServiceUnavailable', { details });
    const rec = this.#records.get(reader);
    if (!rec) throw pcscErrors.create('ReaderUnavailable', { details });
    // A call stuck on this reader blocks pcscd's reader too (measured: a second connect
    // blocks until the card is removed); do not pin another worker thread on it.
    if ((this.#stuck.get(reader) ?? 0) > 0) {
      throw pcscErrors.create('CardNotResponding', { details: { ...details, stuck: true } });
    }
    // Let the insertion probe finish: its SHARED handle would make an EXCLUSIVE connect fail.
    await rec.events.idle();
    this.#count(this.#ownHandles, reader, +1);
    try {
      const connection = await openConnection(rec.native, reader, options, this.#opts, this.#hooks);
      rec.heldElsewhere = false;
      this.#connections.add(connection);
      return connection;
    } catch (err) {
      this.#count(this.#ownHandles, reader, -1);
      if (isEcpsError(err, 'SharingViolation')) rec.heldElsewhere = true;
      throw err;
    }
  }

  // ---- connection hooks --------------------------------------------------------------------

  readonly #hooks: ConnectionHooks = {
    onStuck: (reader, stuck) => this.#count(this.#stuck, reader, stuck ? +1 : -1),
    onClosed: (connection) => {
      if (this.#connections.delete(connection)) this.#count(this.#ownHandles, connection.reader, -1);
    },
    onAtr: (reader, atr) => {
      const rec = this.#records.get(reader);
      if (rec?.present) rec.atr = atr.slice();
    },
  };

  #count(map: Map<string, number>, reader: string, delta: number): void {
    const next = Math.max(0, (map.get(reader) ?? 0) + delta);
    if (next === 0) map.delete(reader);
    else map.set(reader, next);
  }

  // ---- Client lifecycle --------------------------------------------------------------------

  /**
   * Starts a Client; false when pcscd is not there (start() throws NoService synchronously),
   * not answering yet (probe), or the port was stopped or restarted meanwhile.
   */
  async #startClient(): Promise<boolean> {
    if (this.#connecting) return false;
    const generation = this.#generation;
    this.#connecting = true;
    let probe;
    try {
      probe = await probePcscService({ timeoutMs: this.#opts.serviceProbeTimeoutMs });
    } finally {
      this.#connecting = false;
    }
    if (generation !== this.#generation || !this.#started || this.#serviceUp) return false;
    if (!nativeCallWillReturn(probe)) {
      this.#opts.logger.debug?.('pcsc: service not answering yet', { probe });
      return false;
    }
    const client = this.#pendingClient ?? this.#newClient();
    try {
      client.start();
    } catch (err) {
      const code = nativeCodeOf(err);
      this.#opts.logger.debug?.('pcsc: service not reachable', { code });
      // start() can be retried on a Client whose start() threw (measured), except if it
      // considers itself started; then use a fresh one next time.
      this.#pendingClient = code === 'ClientAlreadyStarted' ? undefined : client;
      return false;
    }
    this.#pendingClient = undefined;
    keepClientAlive(client);
    this.#client = client;
    this.#serviceUp = true;
    this.#lastEventAt = Date.now();
    return true;
  }

  #newClient(): NativeClient {
    const client = new pcsc.Client();
    // Handlers run inside pcsc-mini's native callbacks: an exception there would be an
    // uncaught N-API callback exception, so each one is wrapped.
    client.on('reader', (reader) => this.#safely(() => this.#onReader(client, reader)));
    client.on('error', (err) => this.#safely(() => this.#onClientError(client, err)));
    return client;
  }

  #onClientError(client: NativeClient, err: unknown): void {
    if (client !== this.#client) return;
    // Any monitor error means this Client is finished (it never recovers). Usually CommError,
    // but the native code varies when pcscd dies mid-call, and a message like "card security"
    // would mislead: service-down always carries CommError (or ServiceUnavailable), with the
    // native code kept in details.
    const mapped = fromNativeError(err, { operation: 'monitor' });
    const error =
      mapped.code === 'ServiceUnavailable' || mapped.code === 'CommError'
        ? mapped
        : pcscErrors.create('CommError', { details: { ...mapped.details }, cause: err });
    this.#opts.logger.warn?.('pcsc: lost the PC/SC service', { code: error.code, nativeCode: nativeCodeOf(err) });
    this.#client = undefined;
    this.#serviceUp = false;
    for (const rec of this.#records.values()) {
      this.#lostReaders.set(rec.name, rec.present || (this.#lostReaders.get(rec.name) ?? false));
    }
    this.#records.clear();
    for (const connection of [...this.#connections]) connection.invalidate('ServiceUnavailable');
    this.#emit({ type: 'service-down', error });
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (!this.#started || this.#retryTimer) return;
    const delay = backoffDelay(this.#opts.recovery, this.#retryAttempt++);
    this.#retryTimer = setTimeout(() => void this.#retry(), delay);
    // Deliberately NOT unref()'d: a started port keeps the process alive while it waits for
    // pcscd, just as a live Client's monitor does (found by the child-process restart test:
    // with unref() a process whose only work is the port exited silently during the outage).
  }

  async #retry(): Promise<void> {
    this.#retryTimer = undefined;
    if (!this.#started || this.#serviceUp) return;
    const generation = this.#generation;
    if (!(await this.#startClient())) {
      if (generation === this.#generation) this.#scheduleRetry();
      return;
    }
    this.#retryAttempt = 0;
    this.#opts.logger.info?.('pcsc: PC/SC service is back');
    this.#emit({ type: 'service-up' });
    void this.#reannounce(this.#client);
  }

  /** After a new Client started: readers that came back were announced by the normal flow;
   * now say which ones did not come back. */
  async #reannounce(client: NativeClient | undefined): Promise<void> {
    await this.#settle();
    if (client === undefined || client !== this.#client) return;
    for (const [name, hadCard] of this.#lostReaders) {
      if (this.#records.has(name)) continue;
      if (hadCard) this.#emit({ type: 'card-removed', reader: name });
      this.#emit({ type: 'reader-removed', reader: name });
    }
    this.#lostReaders.clear();
  }

  async #settle(): Promise<void> {
    const begin = Date.now();
    // Quiet is measured from the start too: on a loaded machine the first reader events can
    // come well after start() (seen: a CLI run that found no reader at all).
    this.#firstEventAt = undefined;
    const quietSince = () => Math.max(this.#lastEventAt, begin);
    const quietNeeded = () =>
      this.#firstEventAt === undefined
        ? SETTLE_QUIET_MS
        : Math.min(SETTLE_QUIET_AFTER_EVENT_MAX_MS, Math.max(SETTLE_QUIET_AFTER_EVENT_MIN_MS, 2 * (this.#firstEventAt - begin)));
    while (Date.now() - quietSince() < quietNeeded() && Date.now() - begin < SETTLE_MAX_MS) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all([...this.#records.values()].map((rec) => rec.events.idle()));
  }

  // ---- reader events -----------------------------------------------------------------------

  #onReader(client: NativeClient, native: NativeReader): void {
    if (client !== this.#client) return;
    this.#lastEventAt = Date.now();
    this.#firstEventAt ??= this.#lastEventAt;
    const name = native.name();
    const rec = new ReaderRecord(name, native);
    this.#records.set(name, rec);
    if (this.#records.size >= pcsc.MAX_READERS) {
      this.#opts.logger.warn?.(`pcsc: ${pcsc.MAX_READERS} readers monitored; pcsc-mini ignores any more`);
    }
    const current = () => this.#records.get(name) === rec;
    native.on('change', (flags, atr) =>
      this.#safely(() => {
        if (!current()) return;
        this.#lastEventAt = Date.now();
        this.#firstEventAt ??= this.#lastEventAt;
        void rec.events.run(() => this.#onChange(rec, flags, atr)).catch((err) => this.#logError(err));
      }),
    );
    native.on('disconnect', () =>
      this.#safely(() => {
        if (!current()) return;
        void rec.events.run(() => this.#onReaderGone(rec)).catch((err) => this.#logError(err));
      }),
    );
    this.#emit({ type: 'reader-added', reader: name });
  }

  async #onChange(rec: ReaderRecord, flags: NativeReaderStatusFlags, eventAtr: Uint8Array): Promise<void> {
    const change = rec.apply(flags);
    if (change === 'removed') {
      for (const connection of this.#connections) if (connection.reader === rec.name) connection.cardRemoved();
      this.#emit({ type: 'card-removed', reader: rec.name });
    }
    if (change !== 'inserted') return;
    const atr = rec.mute ? undefined : await this.#readAtr(rec);
    if (this.#records.get(rec.name) !== rec || !rec.present) return;
    rec.atr = atr ?? plausibleEventAtr(eventAtr);
    // A mute card has no ATR: the event still fires (with an empty ATR) so the UI can say so.
    this.#emit({ type: 'card-inserted', reader: rec.name, atr: rec.atr?.slice() ?? new Uint8Array(0) });
  }

  async #readAtr(rec: ReaderRecord): Promise<Uint8Array | undefined> {
    if ((this.#stuck.get(rec.name) ?? 0) > 0) return undefined;
    this.#count(this.#ownHandles, rec.name, +1);
    try {
      const probe = await probeAtr(rec.native, this.#opts.connectTimeoutMs);
      // SharingViolation: another application holds the card exclusively.
      if (probe.failure === 'SharingViolation') rec.heldElsewhere = true;
      if (probe.failure) this.#opts.logger.debug?.('pcsc: could not read the ATR', { reader: rec.name, code: probe.failure });
      return probe.atr;
    } finally {
      this.#count(this.#ownHandles, rec.name, -1);
    }
  }

  #onReaderGone(rec: ReaderRecord): void {
    if (this.#records.get(rec.name) !== rec) return;
    this.#records.delete(rec.name);
    if (rec.present) this.#emit({ type: 'card-removed', reader: rec.name });
    this.#emit({ type: 'reader-removed', reader: rec.name });
  }

  // ---- plumbing ----------------------------------------------------------------------------

  #emit(event: ReaderEvent): void {
    for (const listener of [...this.#listeners]) this.#safely(() => listener(event));
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#logError(err);
    }
  }

  #logError(err: unknown): void {
    this.#opts.logger.error?.('pcsc: unexpected error in an event handler', { error: String(err) });
  }
}
