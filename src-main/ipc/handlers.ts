/**
 * The IPC handlers: one `(request) → response` function per contract channel, plus the event
 * source for `readers.changed` and `activation.event`. Transport-agnostic: Electron main and
 * the web shell both mount them behind `createValidatedDispatcher` (validated.ts), so every
 * request reaching this file has already matched its schema.
 *
 * Secrets: the PIN of `pin.verify` is turned into bytes, given once to the card layer's safety
 * path (`CpsCard.verifyPin`: counter read first, last try needs confirmation, never retried),
 * then zeroed; it is never logged nor returned. The e-CPS password goes once to the driver.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ActivationAuthority, AuthorityDescription } from '../../src-shared/activation-authority';
import { isEcpsError, type EcpsError, type Lang } from '../../src-shared/errors';
import type {
  CardSummary,
  EventChannel,
  EventOf,
  ReadersSnapshot,
  ResponseOf,
} from '../../src-shared/ipc-contract';
import type { ReaderEvent, ReaderPort } from '../../src-shared/reader-port';
import { ActivationDriver, type DriverEvent } from '../activation/driver';
import type { CpsCard } from '../card/cps/index';
import type { PinStatus } from '../card/cps/pin-safety';
import { inspectCard } from '../reader/inspect';
import { requireCpsApplication, withCardOnPort } from '../reader/card-session';
import { buildReport, renderHtml, renderTextSummary, runDiagnostics } from '../diagnostics/index';
import { SandboxAuthority } from '../../simulators/authority/index';
import { startPhonePageServer, type PhonePageServer } from '../../simulators/phone/page-server';
import { cardSummary, identitySummary, pinCounter, readerView } from './views';
import { validateEvent, type IpcHandlers } from './validated';
import { createAuthority } from '../settings/authority-setting';
import { urlAuthorityLabel } from '../settings/authority-check';
import { createSettingsHandlers } from '../settings/ipc-handlers';
import { listPairingInterfaces, resolvePairingAddress, type NetworkInterfacesSource } from '../settings/network';
import type { SettingsStore } from '../settings/settings-store';
import { createRealActivationHandlers, type RealActivationOptions } from '../readiness/ipc-handlers';
import { defaultBrowserProbe } from '../readiness/run';

const ROOT = new URL('../../', import.meta.url);

export interface IpcServicesOptions {
  port: ReaderPort;
  demo: boolean;
  shell: 'electron' | 'web';
  lang?: Lang;
  /** Default: the in-process sandbox authority. */
  authority?: ActivationAuthority;
  /** Folder holding cgu.fr.md / cgu.en.md (default resources/cgu). */
  cguDir?: URL;
  /** Pairing options for the activation driver (bind address, relay, test iterations). */
  pairing?: ConstructorParameters<typeof ActivationDriver>[0]['pairing'];
  /** Tests: build the driver differently (fake pairing, short timings). */
  createDriver?: (options: ConstructorParameters<typeof ActivationDriver>[0]) => ActivationDriver;
  /** Diagnostics options added to { port, demo } (trust anchors, platform probes…). */
  diagnostics?: Omit<Parameters<typeof runDiagnostics>[0], 'port' | 'demo'>;
  onInternalError?: (where: string, error: unknown) => void;
  /**
   * Persisted settings (src-main/settings): the authority (when `authority` is not given), the
   * language (when `lang` is not given) and the pairing address (when `pairing.bindAddress` is
   * not given). `settings.set` saves there. Absent: in-memory settings.
   */
  settings?: SettingsStore;
  /** Tests: another help file, other network interfaces. */
  helpFile?: URL | string;
  networkInterfaces?: NetworkInterfacesSource;
  /**
   * Demo mode with the sandbox authority only: serve the reference phone page
   * (simulators/phone/page-server.ts) on the pairing interface, allow exactly its origin at the
   * pairing upgrade and put its link in `qr` events. Ignored otherwise.
   */
  phonePage?: boolean | { dir: string };
  /**
   * The real activation beside the official portal (src-main/readiness): browser probe, portal
   * setting, attempt record, and Electron's `openExternal` for the portal link.
   */
  realActivation?: RealActivationOptions;
}

export type IpcEventListener = <E extends EventChannel>(event: E, payload: EventOf<E>) => void;

export interface IpcEventSource {
  subscribe(listener: IpcEventListener): () => void;
}

export interface IpcServices {
  handlers: IpcHandlers;
  events: IpcEventSource;
  dispose(): Promise<void>;
}

interface RunningActivation {
  id: string;
  flow: 'with-card' | 'without-card';
  driver: ActivationDriver;
  cps?: CpsCard;
  reader?: string;
  release: () => void;
  done: Promise<unknown>;
  unsubscribe: () => void;
}

function packageVersion(): { name: string; version: string } {
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { name?: string; version?: string };
    return { name: pkg.name ?? 'compagnon-ecps', version: pkg.version ?? '0.0.0' };
  } catch {
    return { name: 'compagnon-ecps', version: '0.0.0' };
  }
}

function readCgu(dir: URL, lang: Lang): { version: string; text: string } {
  const text = readFileSync(new URL(`cgu.${lang}.md`, dir), 'utf8');
  const version = /<!--\s*version:\s*([^\s]+)\s*-->/.exec(text)?.[1] ?? 'unversioned';
  return { version, text: text.replace(/^<!--.*?-->\s*/s, '') };
}

/** The counter an error carries (details hold counts, never a code) when the card no longer answers. */
function counterFromError(error: EcpsError): PinStatus | undefined {
  const d = error.details;
  if (d.code !== undefined && d.code !== 'pin') return undefined;
  const left = typeof d.triesLeftAfter === 'number' ? d.triesLeftAfter : d.triesLeft;
  if (typeof left !== 'number' || typeof d.maxTries !== 'number') return undefined;
  return { triesLeft: left, maxTries: d.maxTries, blocked: left === 0 };
}

function authorityView(d: AuthorityDescription): ResponseOf<'app.info'>['authority'] {
  return d.kind === 'sandbox' || d.transport === 'in-process'
    ? { kind: 'sandbox', label: { ...d.label } }
    : { kind: 'url', label: { ...d.label }, url: d.url };
}

/** Driver events → contract events (`done` loses its record: the renderer needs the id). */
function uiEvent(event: DriverEvent): EventOf<'activation.event'>['event'] {
  if (event.type === 'done') return { type: 'done', activationId: event.activationId, ...(event.completedAt ? { completedAt: event.completedAt } : {}) };
  return event;
}

export function createIpcServices(options: IpcServicesOptions): IpcServices {
  const { port } = options;
  const saved = options.settings?.get();
  let lang: Lang = options.lang ?? saved?.language ?? 'fr';
  // The authority for the NEXT activation: rebuilt when the setting changes (a running
  // activation keeps the one it started with).
  let authority = options.authority ?? createAuthority(saved?.authority ?? 'sandbox');
  let authoritySetting = options.authority ? undefined : (saved?.authority ?? 'sandbox');
  let pairingSetting = saved?.pairingAddress ?? 'auto';
  const cguDir = options.cguDir ?? new URL('resources/cgu/', ROOT);
  const bus = new EventEmitter<{ event: [EventChannel, unknown] }>();
  const report = options.onInternalError ?? (() => undefined);
  let description: Promise<AuthorityDescription> | undefined;
  const describe = () => (description ??= authority.describe().catch((error: unknown) => {
    description = undefined;
    throw error;
  }));
  /** What app.info shows: a URL authority that does not answer is still named (by its host). */
  async function currentAuthorityView(): Promise<ResponseOf<'app.info'>['authority']> {
    try {
      return authorityView(await describe());
    } catch (error) {
      if (authoritySetting === undefined || authoritySetting === 'sandbox') throw error;
      return { kind: 'url', label: urlAuthorityLabel(authoritySetting), url: authoritySetting };
    }
  }
  /** Pairing options of the next activation: the saved address unless the caller fixed one. */
  function pairingOptions(): ConstructorParameters<typeof ActivationDriver>[0]['pairing'] {
    if (options.pairing?.bindAddress !== undefined) return options.pairing;
    const { address } = resolvePairingAddress(pairingSetting, listPairingInterfaces(options.networkInterfaces));
    return { ...options.pairing, bindAddress: address };
  }
  const settingsHandlers = createSettingsHandlers({
    ...(options.settings ? { store: options.settings } : {}),
    ...(options.helpFile !== undefined ? { helpFile: options.helpFile } : {}),
    ...(options.networkInterfaces ? { networkInterfaces: options.networkInterfaces } : {}),
    language: () => lang,
    apply(next, changed) {
      if (changed.includes('language')) lang = next.language;
      if (changed.includes('pairingAddress')) pairingSetting = next.pairingAddress;
      if (changed.includes('authority') && !options.authority) {
        authority = createAuthority(next.authority);
        authoritySetting = next.authority;
        description = undefined;
      }
    },
  });
  const { lastRun: _lastRun, ...realHandlers } = createRealActivationHandlers(
    { port, demo: options.demo, ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}) },
    options.realActivation,
  );
  let acceptedCgu: { version: string; at: string } | undefined;
  let activation: RunningActivation | undefined;

  /** The phone page server (demo + sandbox), started at the first activation, on the pairing interface. */
  let phonePage: { address: string; server: Promise<PhonePageServer | undefined> } | undefined;
  async function phonePageFor(bindAddress: string | undefined): Promise<{ url: string } | undefined> {
    if (!options.phonePage || !options.demo) return undefined;
    if ((await describe().catch(() => undefined))?.kind !== 'sandbox') return undefined;
    const address = bindAddress ?? '127.0.0.1';
    if (phonePage?.address !== address) {
      const previous = phonePage;
      phonePage = {
        address,
        server: startPhonePageServer({ bindAddress: address, ...(typeof options.phonePage === 'object' ? { dir: options.phonePage.dir } : {}) }).catch((error: unknown) => {
          report('phone-page', error);
          return undefined;
        }),
      };
      void previous?.server.then((server) => server?.close());
    }
    const server = await phonePage.server;
    return server ? { url: server.url } : undefined;
  }

  function emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    const checked = validateEvent(event, payload);
    if (checked === undefined) {
      report(`event ${event}`, new Error('event does not match the contract'));
      return;
    }
    bus.emit('event', event, checked);
  }

  // ------------------------------------------------------------------ readers

  /** Card identification per reader, kept while the same ATR stays in it (one look per insert). */
  const cardCache = new Map<string, { atr: string; card: Promise<CardSummary | undefined> }>();

  function cardOf(reader: ReturnType<ReaderPort['readers']>[number]): Promise<CardSummary | undefined> {
    if (!reader.cardPresent) {
      cardCache.delete(reader.name);
      return Promise.resolve(undefined);
    }
    const atr = reader.atr ? Buffer.from(reader.atr).toString('hex') : '';
    const cached = cardCache.get(reader.name);
    if (cached && cached.atr === atr) return cached.card;
    const card = inspectCard(port, reader).then(
      (inspection) => cardSummary(inspection.identification),
      () => undefined,
    );
    // A failed look (card held by another application…) is retried on the next list.
    void card.then((c) => {
      if (c === undefined && cardCache.get(reader.name)?.card === card) cardCache.delete(reader.name);
    });
    cardCache.set(reader.name, { atr, card });
    return card;
  }

  async function snapshot(): Promise<ReadersSnapshot> {
    const serviceUp = port.serviceAvailable();
    const readers = serviceUp ? port.readers() : [];
    const names = readers.map((r) => r.name);
    const views = [];
    for (const reader of readers) views.push(readerView(reader, names, await cardOf(reader)));
    return { demo: options.demo, serviceUp, readers: views };
  }

  let changeChain: Promise<void> = Promise.resolve();
  const unsubscribePort = port.onEvent((event: ReaderEvent) => {
    if (event.type === 'card-removed' || event.type === 'reader-removed' || event.type === 'card-inserted') cardCache.delete(event.reader);
    if ((event.type === 'card-removed' || event.type === 'reader-removed') && activation?.reader === event.reader) activation.driver.cardRemoved();
    // pcscd stopped under a running activation: said at once, not left waiting (issue 13 #9).
    if (event.type === 'service-down' && activation?.cps) activation.driver.cardRemoved('service-down');
    const change = 'reader' in event ? { type: event.type, reader: event.reader } : { type: event.type };
    changeChain = changeChain
      .then(async () => emit('readers.changed', { ...(await snapshot()), change }))
      .catch((error: unknown) => report('readers.changed', error));
  });

  // ------------------------------------------------------------------ activation

  async function stopActivation(): Promise<boolean> {
    const running = activation;
    if (!running) return false;
    activation = undefined;
    running.driver.cancel();
    await running.driver.stop().catch(() => undefined);
    running.unsubscribe();
    running.release();
    await running.done.catch(() => undefined);
    return true;
  }

  async function startActivation(flow: 'with-card' | 'without-card', reader: string | undefined): Promise<RunningActivation> {
    const id = randomUUID();
    const build = options.createDriver ?? ((o) => new ActivationDriver(o));
    const pairing = pairingOptions();
    const page = await phonePageFor(pairing?.bindAddress);
    const base = { authority, lang, pairing: page ? { ...pairing, phonePage: page } : pairing };
    if (flow === 'without-card') {
      const driver = build({ ...base, flow });
      return { id, flow, driver, release: () => undefined, done: Promise.resolve(), unsubscribe: () => undefined };
    }
    // With the card: one exclusive session held for the whole activation (PIN, then the
    // card's key), released when the activation ends.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let opened: (value: { cps: CpsCard; reader: string }) => void = () => undefined;
    const ready = new Promise<{ cps: CpsCard; reader: string }>((resolve) => (opened = resolve));
    const done = withCardOnPort(port, { ...(reader !== undefined ? { reader } : {}), share: 'exclusive' }, async (session) => {
      opened({ cps: requireCpsApplication(session.application), reader: session.reader });
      await released;
    });
    const { cps, reader: name } = await Promise.race([ready, done.then(() => Promise.reject(new Error('card session ended')))]);
    const driver = build({ ...base, flow, card: cps });
    return { id, flow, driver, cps, reader: name, release, done, unsubscribe: () => undefined };
  }

  // ------------------------------------------------------------------ the handlers

  async function verifyWith(cps: CpsCard, reader: string, pin: string, confirmLastTry: boolean): Promise<ResponseOf<'pin.verify'>> {
    const bytes = new Uint8Array(Buffer.from(pin, 'utf8'));
    try {
      const status = await cps.verifyPin(bytes, { confirmLastTry });
      if (activation?.cps === cps) activation.driver.pinVerified(status.triesLeft);
      return { ok: true, reader, pin: pinCounter(status) };
    } catch (error) {
      if (!isEcpsError(error)) throw error;
      const after = await cps.pinStatus().catch(() => counterFromError(error));
      if (activation?.cps === cps && after && error.code !== 'PinLastTryNeedsConfirmation') activation.driver.pinFailed(after.triesLeft);
      return {
        ok: false,
        reader,
        ...(after ? { pin: pinCounter(after) } : {}),
        error: { code: error.code, message: { ...error.messages }, ...(error.remedy ? { remedy: { ...error.remedy } } : {}) },
      };
    } finally {
      bytes.fill(0);
    }
  }

  const handlers: IpcHandlers = {
    ...settingsHandlers,
    ...realHandlers,
    async 'app.info'() {
      const { name, version } = packageVersion();
      return { name, version, demo: options.demo, authority: await currentAuthorityView(), language: lang, shell: options.shell };
    },
    async 'app.setLanguage'({ language }) {
      lang = language;
      try {
        options.settings?.update({ language });
      } catch (error) {
        // The language still changes for this run; only remembering it failed.
        report('app.setLanguage (saving the setting)', error);
      }
      return { language };
    },
    'readers.list': () => snapshot(),
    async 'card.inspect'({ reader }) {
      return withCardOnPort(port, reader !== undefined ? { reader } : {}, async (session) => {
        const base = { reader: session.reader, atr: Buffer.from(session.atr).toString('hex').toUpperCase(), card: cardSummary(session.identification) };
        const app = session.application;
        if (app.kind !== 'cps') {
          const outcome = app.outcome();
          return { ...base, outcome: { code: outcome.code, message: { ...outcome.messages }, ...(outcome.remedy ? { remedy: { ...outcome.remedy } } : {}) } };
        }
        const identity = await app.readIdentity().catch(() => undefined);
        const pin = await app.pinStatus().catch(() => undefined);
        return {
          ...base,
          ...(session.identification.serialNumber ? { serialNumber: session.identification.serialNumber } : {}),
          ...(identity ? { identity: identitySummary(identity) } : {}),
          ...(pin ? { pin: pinCounter(pin) } : {}),
        };
      });
    },
    async 'pin.status'({ reader }) {
      if (activation?.cps && activation.reader && (reader === undefined || reader === activation.reader)) {
        return { reader: activation.reader, pin: pinCounter(await activation.cps.pinStatus()) };
      }
      return withCardOnPort(port, reader !== undefined ? { reader } : {}, async (session) => ({
        reader: session.reader,
        pin: pinCounter(await requireCpsApplication(session.application).pinStatus()),
      }));
    },
    async 'pin.verify'({ reader, pin, confirmLastTry }) {
      const running = activation;
      if (running?.cps && running.reader && (reader === undefined || reader === running.reader)) {
        return verifyWith(running.cps, running.reader, pin, confirmLastTry === true);
      }
      return withCardOnPort(port, { ...(reader !== undefined ? { reader } : {}), share: 'exclusive' }, (session) =>
        verifyWith(requireCpsApplication(session.application), session.reader, pin, confirmLastTry === true),
      );
    },
    async 'cgu.get'({ language }) {
      const l = language ?? lang;
      const cgu = readCgu(cguDir, l);
      return { language: l, version: cgu.version, text: cgu.text, sandbox: /sandbox/i.test(cgu.version) };
    },
    async 'cgu.accept'({ version }) {
      const current = readCgu(cguDir, lang).version;
      if (version !== current) return { accepted: false, version: current, acceptedAt: '' };
      acceptedCgu = { version, at: new Date().toISOString() };
      activation?.driver.acceptCgu(version);
      return { accepted: true, version, acceptedAt: acceptedCgu.at };
    },
    async 'activation.start'({ flow, reader }) {
      await stopActivation();
      const running = await startActivation(flow, reader);
      const listener = (event: DriverEvent) => {
        emit('activation.event', { sessionId: running.id, event: uiEvent(event) });
        if (event.type === 'end' && activation === running) {
          activation = undefined;
          running.unsubscribe();
          running.release();
        }
      };
      running.driver.on('event', listener);
      running.unsubscribe = () => running.driver.off('event', listener);
      activation = running;
      running.driver.start();
      return { sessionId: running.id, flow, authority: await currentAuthorityView() };
    },
    async 'activation.submitCode'({ code }) {
      const running = activation;
      if (!running) return { accepted: false };
      await running.driver.enterCode(code);
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.choosePassword'({ first, second }) {
      const running = activation;
      if (!running) return { accepted: false };
      running.driver.choosePassword(first, second);
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.enterNationalId'({ value }) {
      const running = activation;
      if (!running) return { accepted: false };
      running.driver.enterNationalId(value);
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.confirmRequest'() {
      const running = activation;
      if (!running) return { accepted: false };
      running.driver.confirmRequest();
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.retry'() {
      const running = activation;
      if (!running) return { accepted: false };
      running.driver.retry();
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.resend'({ what }) {
      const running = activation;
      if (!running) return { accepted: false };
      running.driver.resend(what);
      return { accepted: true, step: running.driver.state.step };
    },
    async 'activation.cancel'() {
      return { cancelled: await stopActivation() };
    },
    async 'activation.outbox'({ activationId }) {
      // Only the in-process sandbox has an outbox; a real authority's mail is never read here.
      if (!(authority instanceof SandboxAuthority)) return { available: false, messages: [] };
      const messages = authority
        .outbox()
        .filter((m) => m.activationId === activationId)
        .map(({ activationId: _id, ...m }) => m);
      return { available: true, messages };
    },
    async 'diagnostics.run'({ reader }) {
      const run = await runDiagnostics({
        authority,
        // The browser's card stack too, unless the real-activation options turned it off.
        ...(options.realActivation?.browser === false ? {} : { browser: options.realActivation?.browser ?? defaultBrowserProbe() }),
        ...options.diagnostics,
        port,
        demo: options.demo,
        ...(reader !== undefined ? { reader } : {}),
      });
      const built = buildReport(run, { showPersonalData: false, toolVersion: packageVersion().version });
      const status = built.summary.fail > 0 ? 'fail' : built.summary.warn > 0 ? 'warn' : 'ok';
      return {
        status,
        demo: options.demo,
        summary: renderTextSummary(built, lang),
        html: renderHtml(built),
        checks: built.checks.map((c) => ({
          id: c.id,
          ...(c.subject !== undefined ? { subject: c.subject } : {}),
          status: c.status,
          title: c.title,
          explanation: c.explanation,
          ...(c.remedy ? { remedy: c.remedy } : {}),
        })),
      };
    },
  };

  return {
    handlers,
    events: {
      subscribe(listener) {
        const wrapped = (event: EventChannel, payload: unknown) => listener(event, payload as never);
        bus.on('event', wrapped);
        return () => bus.off('event', wrapped);
      },
    },
    async dispose() {
      unsubscribePort();
      await stopActivation();
      await phonePage?.server.then((server) => server?.close());
      phonePage = undefined;
      bus.removeAllListeners();
    },
  };
}
