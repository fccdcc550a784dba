/** `ecps simulate <kind>`: plugs a virtual card into pcscd's vpcd reader until Ctrl-C. */
import type { CliContext } from '../context';
import { usageError } from '../context';
import { EXIT } from '../exit-codes';
import {
  createVirtualCard,
  parseVirtualCardKind,
  VIRTUAL_CARD_KINDS,
  VIRTUAL_CARD_DESCRIPTIONS,
} from '../../../simulators/cards/catalog';
import { parseFaultSpecs, formatFaultSpec } from '../../../simulators/cards/faults';
import { VpcdSlot, VPCD_DEFAULT_PORT } from '../../../simulators/cards/vpcd-bridge';

export interface SimulateOptions {
  kind: string | undefined;
  slot: string | undefined;
  faults: string[];
  vpcdPort: string | undefined;
  vpcdHost: string | undefined;
}

export async function runSimulate(ctx: CliContext, options: SimulateOptions): Promise<number> {
  if (!options.kind) throw usageError(`ecps simulate <${VIRTUAL_CARD_KINDS.join('|')}>`);
  const kind = parseVirtualCardKind(options.kind);
  const slot = options.slot === undefined ? 0 : Number(options.slot);
  if (slot !== 0 && slot !== 1) throw usageError(`--slot ${options.slot} (0 | 1)`);
  const port = options.vpcdPort === undefined ? VPCD_DEFAULT_PORT : Number(options.vpcdPort);
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw usageError(`--vpcd-port ${options.vpcdPort}`);
  const faults = parseFaultSpecs(options.faults);
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
  plug.on('error', (error: Error) => ctx.stderr(`${error.message}\n`));
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
