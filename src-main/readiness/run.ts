/**
 * "Prêt pour l'activation ?": every check the real activation needs, in the order the user
 * meets them — this computer (PC/SC service, reader), the card (CPS in the CPS slot, answers,
 * free for the browser, PIN tries left, certificate valid for 30 days more), the browser's card
 * stack (module installed and registered, certificate visible through it).
 *
 * No PIN try is ever spent: the card facts come from reader-facts.ts (no VERIFY with data, no
 * CHANGE / RESET RETRY COUNTER — test/integration/readiness-no-pin.test.ts counts them at the
 * card), through a SHARED connection released at once, so the browser can take the card while
 * the companion watches it. The fallback ladder is not climbed here (it may ask for exclusive
 * access): that is the technicians' `ecps diagnose`.
 */
import os from 'node:os';
import type { ReaderPort } from '../../src-shared/reader-port';
import type { ApduTrace } from '../reader/apdu-trace';
import { checkPcscService, checkReadersPresent } from '../diagnostics/checks/service';
import { loadReaderKnowledge, type ReaderKnowledge } from '../diagnostics/knowledge';
import { maskDigits, maskName } from '../diagnostics/mask';
import { defaultPlatformProbe, type PlatformProbe } from '../diagnostics/platform';
import { gatherReaderFacts, isCps, type SlotFacts } from '../diagnostics/reader-facts';
import { skipped, tx, worstStatus, type CheckStatus } from '../diagnostics/types';
import { cardChecks, cardContext, chooseCpsSlot } from './card-checks';
import { linuxBrowserProbe } from './linux-probe';
import { macosBrowserProbe } from './macos-probe';
import { inGroup, type BrowserProbe, type CardContext, type ReadinessCheck } from './types';
import { windowsBrowserProbe } from './windows-probe';

export interface ReadinessOptions {
  port: ReaderPort;
  /** The readers are the built-in virtual ones. */
  demo: boolean;
  /** The browser-stack probe; default the one of this platform; `false`: not checked. */
  browser?: BrowserProbe | false;
  /** The PC/SC service probe (explains a service that does not answer). */
  platform?: PlatformProbe;
  knowledge?: ReaderKnowledge;
  /** Only the readers whose name contains this. */
  reader?: string;
  trace?: ApduTrace;
  now?: () => Date;
  connectTimeoutMs?: number;
}

/** The card, as the readiness screen and the attempt record may show it: holder masked. */
export interface ReadinessCard {
  reader: string;
  type: string;
  serialNumber?: string;
  /** `D*** M***`: never the full name. */
  holderMasked?: string;
  /** `899*****013`. */
  idNatMasked?: string;
  expiresInDays?: number;
  notAfter?: string;
  pinTriesLeft?: number;
  pinMaxTries?: number;
}

export interface ReadinessRun {
  startedAt: string;
  durationMs: number;
  demo: boolean;
  platform: NodeJS.Platform;
  status: CheckStatus;
  checks: ReadinessCheck[];
  card?: ReadinessCard;
  /** What the browser probes were told about the card. */
  cardContext: CardContext;
  /** The gathered facts (diagnostics report), not for the interface. */
  facts: SlotFacts[];
}

export function defaultBrowserProbe(platform: NodeJS.Platform = process.platform): BrowserProbe | undefined {
  if (platform === 'linux') return linuxBrowserProbe();
  if (platform === 'win32') return windowsBrowserProbe();
  if (platform === 'darwin') return macosBrowserProbe();
  return undefined;
}

export async function runReadiness(options: ReadinessOptions): Promise<ReadinessRun> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const { port, demo } = options;
  const simulated = demo || port.kind === 'simulator';
  const probe = simulated ? undefined : await (options.platform ?? defaultPlatformProbe()).pcscService().catch(() => undefined);
  const serviceUp = port.serviceAvailable();
  const checks: ReadinessCheck[] = [inGroup('machine', checkPcscService(port, probe, demo)), inGroup('machine', checkReadersPresent(port, serviceUp), serviceUp ? { kind: 'rerun' } : undefined)];

  const facts = serviceUp
    ? await gatherReaderFacts(port, {
        knowledge: options.knowledge ?? loadReaderKnowledge(),
        now,
        ...(options.reader !== undefined ? { reader: options.reader } : {}),
        ...(options.trace ? { trace: options.trace } : {}),
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      })
    : [];
  const wanted = options.reader === undefined ? facts : facts.filter((f) => f.reader.toLowerCase().includes(options.reader!.toLowerCase()));
  checks.push(...cardChecks(wanted, serviceUp).map(withActions));

  const context = cardContext(wanted, demo);
  const browser = options.browser === false ? undefined : (options.browser ?? defaultBrowserProbe());
  if (browser) {
    try {
      checks.push(...(await browser.checks(context)));
    } catch (error) {
      checks.push(inGroup('browser', skipped('browser.middleware', tx('Module de carte pour les navigateurs', 'Card module for the browsers'), tx(`La vérification du navigateur a échoué : ${String(error)}`, `The browser check failed: ${String(error)}`))));
    }
  } else if (options.browser !== false) {
    checks.push(inGroup('browser', skipped('browser.middleware', tx('Module de carte pour les navigateurs', 'Card module for the browsers'), tx(`Système non pris en charge (${os.platform()}).`, `Unsupported system (${os.platform()}).`))));
  }

  return {
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    demo,
    platform: browser?.platform ?? process.platform,
    status: worstStatus(checks.map((c) => c.status)),
    checks,
    ...(cardSummary(wanted) ? { card: cardSummary(wanted)! } : {}),
    cardContext: context,
    facts: wanted,
  };
}

/** Card checks get the action the interface offers: run again (after a card change), help on old readers. */
function withActions(c: ReadinessCheck): ReadinessCheck {
  if (c.action || c.status === 'ok' || c.status === 'skipped') return c;
  if (c.id === 'card.responsive') return { ...c, action: { kind: 'open-diagnostics' } };
  return { ...c, action: { kind: 'rerun' } };
}

export function cardSummary(facts: readonly SlotFacts[]): ReadinessCard | undefined {
  const slot = chooseCpsSlot(facts);
  if (!slot) return undefined;
  const id = slot.cps?.identity;
  const holder = id ? [id.surname, id.givenName].filter((x): x is string => !!x).map(maskName).join(' ') : undefined;
  return {
    reader: slot.reader,
    type: slot.identification?.type ?? 'unknown',
    ...(slot.identification?.serialNumber ? { serialNumber: slot.identification.serialNumber } : {}),
    ...(holder ? { holderMasked: holder } : {}),
    ...(id ? { idNatMasked: maskDigits(id.idNat), expiresInDays: id.expiresInDays, notAfter: id.notAfter.toISOString() } : {}),
    ...(isCps(slot) && slot.cps?.pin ? { pinTriesLeft: slot.cps.pin.triesLeft, pinMaxTries: slot.cps.pin.maxTries } : {}),
  };
}
