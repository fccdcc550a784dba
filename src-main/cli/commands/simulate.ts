/** `ecps simulate <kind>`: plugs a virtual card into pcscd's vpcd reader until Ctrl-C. */
import type { CliContext } from '../context';
import { asEcpsError, usageError } from '../context';
import { EXIT } from '../exit-codes';
import {
  createVirtualCard,
  createVirtualCardWithCredentials,
  isVirtualCardKind,
  parseVirtualCardKind,
  VIRTUAL_CARD_KINDS,
  VIRTUAL_CARD_DESCRIPTIONS,
} from '../../../simulators/cards/catalog';
import { parseFaultSpecs, formatFaultSpec, type FaultSpec } from '../../../simulators/cards/faults';
import { VpcdSlot, VPCD_DEFAULT_PORT } from '../../../simulators/cards/vpcd-bridge';
import { CPS_VARIANTS, isCpsVariant, type CpsCardOptions } from '../../../simulators/cards/cps-catalog';
import { TEST_HOLDERS, type CardHolder } from '../../../simulators/pki/index';

export interface SimulateOptions {
  kind: string | undefined;
  slot: string | undefined;
  faults: string[];
  vpcdPort: string | undefined;
  vpcdHost: string | undefined;
  /** CPS only: the virtual TEST card's codes and holder (not real secrets: test parameters). */
  pin?: string | undefined;
  puk?: string | undefined;
  holder?: string | undefined;
  variant?: string | undefined;
  serial?: string | undefined;
}

const HOLDER_IDS = Object.keys(TEST_HOLDERS) as (keyof typeof TEST_HOLDERS)[];

/**
 * The CPS parameters of `ecps simulate` checked and turned into catalogue options. `--holder`
 * is a test holder's id (`pharmacist`, `doctor`, `nurse`, `employee`) or `"NOM Prénom"`, which
 * renames the default holder (the pharmacist; the employee for `--variant cpe`).
 */
export function cpsSimulationOptions(options: SimulateOptions): CpsCardOptions {
  const out: CpsCardOptions = {};
  if (options.pin !== undefined) {
    if (!/^\d{4}$/.test(options.pin)) throw usageError('simulateBadPin');
    out.pin = options.pin;
  }
  if (options.puk !== undefined) {
    if (!/^\d{8}$/.test(options.puk)) throw usageError('simulateBadPuk');
    out.puk = options.puk;
  }
  if (options.serial !== undefined) {
    if (!/^\d{8}$/.test(options.serial)) throw usageError('simulateBadSerial');
    out.serialNumber = options.serial;
  }
  if (options.variant !== undefined) {
    const variant = options.variant.trim().toLowerCase();
    if (!isCpsVariant(variant)) throw usageError('simulateBadVariant', { value: options.variant, list: CPS_VARIANTS.join(', ') });
    out.variant = variant;
  }
  if (options.holder !== undefined) out.holder = parseHolder(options.holder, out.variant === 'cpe');
  return out;
}

function parseHolder(text: string, cpe: boolean): CardHolder {
  const id = text.trim();
  if ((HOLDER_IDS as string[]).includes(id)) return TEST_HOLDERS[id as keyof typeof TEST_HOLDERS];
  const match = /^(\S+)\s+(.+)$/u.exec(id);
  if (!match) throw usageError('simulateBadHolder', { list: HOLDER_IDS.join(', ') });
  const base: CardHolder = cpe ? TEST_HOLDERS.employee : TEST_HOLDERS.pharmacist;
  return { ...base, surname: match[1]!.toUpperCase(), givenName: match[2]!.trim() };
}

export async function runSimulate(ctx: CliContext, options: SimulateOptions): Promise<number> {
  if (!options.kind) throw usageError('simulateMissing', { list: VIRTUAL_CARD_KINDS.join('|') });
  const kindText = options.kind;
  if (!isVirtualCardKind(kindText.trim().toLowerCase())) {
    throw usageError('simulateUnknown', { name: kindText, list: VIRTUAL_CARD_KINDS.join(', ') });
  }
  const kind = parseVirtualCardKind(kindText);
  const slot = options.slot === undefined ? 0 : /^[01]$/.test(options.slot) ? Number(options.slot) : NaN;
  if (slot !== 0 && slot !== 1) throw usageError('badSlot', { value: String(options.slot) });
  const port = options.vpcdPort === undefined ? VPCD_DEFAULT_PORT : /^\d+$/.test(options.vpcdPort) ? Number(options.vpcdPort) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw usageError('badVpcdPort', { value: String(options.vpcdPort) });
  const faults: FaultSpec[] = [];
  for (const spec of options.faults.flatMap((f) => f.split(',')).filter((f) => f.trim() !== '')) {
    try {
      faults.push(...parseFaultSpecs(spec));
    } catch {
      throw usageError('simulateBadFault', { spec });
    }
  }
  const isCps = kind === 'cps3' || kind === 'cps4';
  const cpsFlags = { '--pin': options.pin, '--puk': options.puk, '--holder': options.holder, '--variant': options.variant, '--serial': options.serial };
  const misplaced = Object.entries(cpsFlags).find(([, value]) => value !== undefined);
  if (!isCps && misplaced) throw usageError('simulateCpsOnly', { option: misplaced[0] });
  const cpsOptions = isCps ? cpsSimulationOptions(options) : {};
  // A CPS gets its sandbox certificates (identity, authentication and signature work).
  const card = isCps ? await createVirtualCardWithCredentials(kind, { ...cpsOptions, faults }) : createVirtualCard(kind, { faults });
  const holder = isCps ? (cpsOptions.holder ?? (cpsOptions.variant === 'cpe' ? TEST_HOLDERS.employee : TEST_HOLDERS.pharmacist)) : undefined;
  const holderText = holder ? `${holder.surname} ${holder.givenName}` : undefined;
  const variant = cpsOptions.variant ?? 'valid';
  const label = VIRTUAL_CARD_DESCRIPTIONS[kind].label[ctx.lang];
  const plug = new VpcdSlot(card, { port, slot, ...(options.vpcdHost ? { host: options.vpcdHost } : {}) });
  const event = (type: string, extra: Record<string, unknown> = {}) =>
    ctx.emitJson({ at: new Date().toISOString(), type, card: kind, slot, port: port + slot, ...extra });

  plug.on('inserted', () => {
    // The holder and variant, never the codes: even a test card's PIN stays off the output.
    if (ctx.json) event('inserted', { faults: faults.map(formatFaultSpec), ...(holder ? { holder: holderText, profession: holder.profession, variant } : {}) });
    else {
      ctx.line(ctx.t('simulateInserted', { label, port: port + slot }));
      if (holder) ctx.line(ctx.t('simulateHolder', { holder: holderText!, profession: holder.profession, variant }));
    }
  });
  plug.on('removed', () => {
    if (ctx.json) event('removed');
    else if (!ctx.signal.aborted) ctx.line(ctx.t('simulateWaiting', { port: port + slot }));
  });
  // A virtual card that throws: reported in the chosen language, the simulation goes on.
  plug.on('error', (error: unknown) => {
    const err = asEcpsError(error);
    if (ctx.json) event('error', { error: err.toJSON(ctx.lang) });
    else ctx.stderr(`${err.text(ctx.lang)}\n`);
  });
  if (!ctx.json) ctx.line(ctx.t('simulateWaiting', { port: port + slot }));
  // insert() keeps retrying until vpcd listens: a card may be inserted before pcscd starts.
  void plug.insert().catch(() => undefined);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await plug.remove();
  if (!ctx.json) ctx.line(ctx.t('simulateRemoved'));
  return EXIT.ok;
}
