/**
 * Runs every technician check (issue 6 §1) over one ReaderPort — real PC/SC or the demo
 * reader — and the machine around it. Everything the checks touch outside the port is
 * injectable (platform probe, sysfs root, galss.ini paths, authority, clock) so each check
 * is testable with fakes; the defaults look at the real machine.
 */
import type { ActivationAuthority } from '../../src-shared/activation-authority';
import type { ReaderPort } from '../../src-shared/reader-port';
import { ApduTrace } from '../reader/apdu-trace';
import { checkCpsCertificate, checkCpsChain, checkCpsPin, checkCpsPresent } from './checks/cps';
import { checkGalssChannels, checkGalssInstalled, DEFAULT_GALSS_CHANNEL_ROLES } from './checks/galss';
import { checkAuthority, checkPairingPort, type ClockThresholds, type PairingTarget } from './checks/network';
import { checkReaderModels, checkUsbReaders, usbReaderDevices, type UsbReaderDevice } from './checks/readers';
import { checkPcscService, checkReadersPresent } from './checks/service';
import { checkSlotCard, checkSlotInUse, checkSlotResponsive, checkSlotRole, checkSlotStrategy } from './checks/slots';
import { defaultGalssLocation, findGalss, type GalssFindings, type GalssLocation } from './galss-ini';
import { loadReaderKnowledge, type ReaderKnowledge } from './knowledge';
import type { SlotRole } from './knowledge-schema';
import { defaultPlatformProbe, type PlatformProbe, type ServiceProbe } from './platform';
import { gatherReaderFacts, isCps, type FallbackGatherOptions, type SlotFacts, type TrustSet } from './reader-facts';
import type { CheckResult } from './types';
import { enumerateUsb, type UsbEnumeration } from './usb';
import { cardContext } from '../readiness/card-checks';
import type { BrowserProbe } from '../readiness/types';

export interface DiagnosticsOptions {
  port: ReaderPort;
  /** The readers and cards are virtual (`--demo`). */
  demo: boolean;
  /** Question only the cards of readers whose name contains this. */
  reader?: string;
  platform?: PlatformProbe;
  /** USB enumeration; default sysfs at `usbRoot` (default /sys/bus/usb/devices). */
  usb?: () => UsbEnumeration;
  usbRoot?: string;
  galss?: GalssLocation;
  /** Expected card per GALSS channel (default CANAL1 = CPS, CANAL2 = Vitale). */
  galssChannelRoles?: Readonly<Record<number, SlotRole>>;
  knowledge?: ReaderKnowledge;
  /** Expected card per slot index of a dual-slot reader (default from the knowledge base). */
  slotRoles?: readonly SlotRole[];
  authority?: ActivationAuthority;
  clock?: ClockThresholds;
  /** `false` skips the pairing-port check. */
  pairing?: PairingTarget | false;
  /** Trust anchors for the CPS chain; absent: chain check skipped. */
  trust?: TrustSet;
  trace?: ApduTrace;
  now?: () => Date;
  connectTimeoutMs?: number;
  /**
   * Run the fallback ladder (read-only probe) on each slot with a card and question the card
   * with the strategy it found; absent: the card checks use the port's default connection.
   */
  fallback?: FallbackGatherOptions;
  /** Where the ladder's memory lives, for the report (`--state-dir`, ECPS_STATE_DIR, default). */
  fallbackMemory?: { directory: string; source: string } | null;
  /** The browser's card stack (src-main/readiness): module installed, registered, certificate visible. */
  browser?: BrowserProbe;
}

export interface DiagnosticRun {
  startedAt: string;
  finishedAt: string;
  demo: boolean;
  portKind: ReaderPort['kind'];
  service: { available: boolean; probe?: ServiceProbe };
  slots: SlotFacts[];
  usb: UsbEnumeration & { readers: UsbReaderDevice[] };
  galss: GalssFindings;
  checks: CheckResult[];
  trace: ApduTrace;
  /** Whether the fallback ladder ran, and where its memory is (null: nothing remembered). */
  fallback?: { memory: { directory: string; source: string } | null };
}

export async function runDiagnostics(options: DiagnosticsOptions): Promise<DiagnosticRun> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { port } = options;
  const knowledge = options.knowledge ?? loadReaderKnowledge();
  const trace = options.trace ?? new ApduTrace({ maxEntries: 2000 });
  const checks: CheckResult[] = [];

  const simulated = options.demo || port.kind === 'simulator';
  const probe = simulated ? undefined : await (options.platform ?? defaultPlatformProbe()).pcscService().catch(() => undefined);
  const serviceUp = port.serviceAvailable();
  checks.push(checkPcscService(port, probe, options.demo));
  checks.push(checkReadersPresent(port, serviceUp));

  const slots = serviceUp
    ? await gatherReaderFacts(port, {
        knowledge,
        trace,
        now,
        ...(options.slotRoles ? { slotRoles: options.slotRoles } : {}),
        ...(options.reader !== undefined ? { reader: options.reader } : {}),
        ...(options.trust ? { trust: options.trust } : {}),
        ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(options.fallback ? { fallback: options.fallback } : {}),
      })
    : [];
  const readerNames = slots.map((s) => s.reader);

  const usb = options.usb ? options.usb() : enumerateUsb(options.usbRoot);
  const usbReaders = usbReaderDevices(usb, readerNames, knowledge);
  checks.push(...checkUsbReaders(usb, usbReaders, serviceUp));
  checks.push(...checkReaderModels(slots, usbReaders));

  const galss = findGalss(options.galss ?? defaultGalssLocation());
  const wanted = slots.filter((s) => options.reader === undefined || s.reader.toLowerCase().includes(options.reader.toLowerCase()));
  for (const slot of wanted) {
    checks.push(checkSlotCard(slot));
    const role = checkSlotRole(slot, slots);
    if (role) checks.push(role);
    const responsive = checkSlotResponsive(slot);
    if (responsive) checks.push(responsive);
    const strategy = checkSlotStrategy(slot);
    if (strategy) checks.push(strategy);
    const inUse = checkSlotInUse(slot, galss.installed);
    if (inUse) checks.push(inUse);
  }
  if (serviceUp && slots.length > 0) checks.push(checkCpsPresent(wanted, options.reader));
  for (const slot of wanted.filter((s) => isCps(s) && s.cps)) {
    checks.push(checkCpsCertificate(slot), checkCpsChain(slot, options.trust !== undefined), checkCpsPin(slot));
  }

  if (options.browser) {
    const found = await options.browser.checks(cardContext(wanted, options.demo)).catch(() => []);
    checks.push(...found.map(({ group: _group, action: _action, ...c }) => c));
  }

  checks.push(checkGalssInstalled(galss));
  checks.push(checkGalssChannels(galss, slots, options.galssChannelRoles ?? DEFAULT_GALSS_CHANNEL_ROLES));
  checks.push(...(await checkAuthority(options.authority, options.clock)));
  if (options.pairing !== false) checks.push(await checkPairingPort(options.pairing ?? {}));

  return {
    startedAt,
    finishedAt: now().toISOString(),
    demo: options.demo,
    portKind: port.kind,
    service: { available: serviceUp, ...(probe ? { probe } : {}) },
    slots,
    usb: { ...usb, readers: usbReaders },
    galss,
    checks,
    trace,
    ...(options.fallback ? { fallback: { memory: options.fallbackMemory ?? (options.fallback.memory ? { directory: options.fallback.memory.file, source: 'option' } : null) } } : {}),
  };
}
