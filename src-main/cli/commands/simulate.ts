/** `ecps simulate <kind>`: plugs a virtual card into pcscd's vpcd reader until Ctrl-C. */
import type { CliContext } from '../context';
import { asEcpsError, usageError } from '../context';
import { EXIT } from '../exit-codes';
import {
  createVirtualCard,
  isVirtualCardKind,
  parseVirtualCardKind,
  VIRTUAL_CARD_KINDS,
  VIRTUAL_CARD_DESCRIPTIONS,
} from '../../../simulators/cards/catalog';
import { parseFaultSpecs, formatFaultSpec, type FaultSpec } from '../../../simulators/cards/faults';
import { VpcdSlot, VPCD_DEFAULT_PORT } from '../../../simulators/cards/vpcd-bridge';

export interface SimulateOptions {
  kind: string | undefined;
  slot: string | undefined;
  faults: string[];
  vpcdPort: string | undefined;
  vpcdHost: string | undefined;
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
  const card = createVirtualCard(kind, { faults });
  const label = VIRTUAL_CARD_DESCRIPTIONS[kind].label[ctx.lang];
  const plug = new VpcdSlot(card, { port, slot, ...(options.vpcdHost ? { host: options.vpcdHost } : {}) });
  const event = (type: string, extra: Record<string, unknown> = {}) =>
    ctx.emitJson({ at: new Date().toISOString(), type, card: kind, slot, port: port + slot, ...extra });

  plug.on('inserted', () => {
    if (ctx.json) event('inserted', { faults: faults.map(formatFaultSpec) });
    else ctx.line(ctx.t('simulateInserted', { label, port: port + slot }));
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
