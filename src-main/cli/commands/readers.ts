/**
 * `ecps readers`: readers and what is in them.
 * `ecps readers --strategies | --forget NAME | --forget-all [--state-dir DIR]`: the fallback
 * strategies remembered per reader (reader-memory.ts, in the per-user state folder of
 * state-dir.ts): list them, forget one (the next ladder starts from the default again), forget
 * them all. These never touch PC/SC.
 */
import { toHex } from '../../../src-shared/hex';
import { asEcpsError, usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { openPcscOrFail } from '../../reader/open-port';
import { inspectCard } from '../../reader/inspect';

export interface ReadersOptions {
  strategies?: boolean;
  forget?: string;
  forgetAll?: boolean;
  stateDir?: string;
}

export async function runReaders(ctx: CliContext, options: ReadersOptions = {}): Promise<number> {
  const modes = [options.strategies === true, options.forget !== undefined, options.forgetAll === true].filter(Boolean).length;
  if (modes > 1) throw usageError('readersStrategyOptionsClash');
  // Loaded only for these options: the memory's schema (zod) is not what `ecps readers` waits for.
  if (modes === 1) return (await import('./readers-strategies')).runStrategies(ctx, options);
  if (options.stateDir !== undefined) throw usageError('readersStateDirAlone');
  return runReaderList(ctx);
}

async function runReaderList(ctx: CliContext): Promise<number> {
  const { port, demo } = await openPcscOrFail({ demo: ctx.demo, transmitTimeoutMs: ctx.timeoutMs });
  try {
    const rows = [];
    for (const reader of port.readers()) {
      const row: Record<string, unknown> = { name: reader.name, cardPresent: reader.cardPresent };
      if (reader.cardPresent) {
        const inspection = await inspectCard(port, reader).catch((error: unknown) => ({ failed: error }));
        if ('failed' in inspection) {
          if (reader.atr) row.atr = toHex(reader.atr, '');
          row.error = asEcpsError(inspection.failed).toJSON(ctx.lang);
        } else {
          row.atr = toHex(inspection.atr, '');
          const id = inspection.identification;
          row.card = {
            type: id.type,
            label: id.label[ctx.lang],
            confirmed: id.confirmed,
            ...(id.serialNumber ? { serialNumber: id.serialNumber } : {}),
            ...(inspection.protocol ? { protocol: inspection.protocol } : {}),
          };
          if (inspection.error) row.error = inspection.error.toJSON(ctx.lang);
        }
      }
      if (reader.inUse) row.inUse = true;
      rows.push(row);
    }
    if (ctx.json) {
      ctx.emitJson(rows);
    } else {
      if (demo) ctx.line(ctx.t('demoBanner'));
      if (rows.length === 0) {
        ctx.line(ctx.t('noReaders'));
        ctx.line(ctx.t('remedyLine', { remedy: ctx.t('noReadersRemedy') }));
      }
      for (const row of rows) {
        const card = row.card as { label: string; confirmed: boolean; serialNumber?: string } | undefined;
        const state = !row.cardPresent
          ? ctx.t('noCard')
          : card
            ? `${card.label}${card.serialNumber ? ` ${ctx.t('serialShort', { serial: card.serialNumber })}` : ''}`
            : ctx.t('cardPresent');
        ctx.line(ctx.field(`${ctx.t('reader')} ${ctx.quote(String(row.name))}`, state));
        if (row.atr) ctx.line(`    ${ctx.t('atrLabel')} ${String(row.atr)}`);
        const error = row.error as { message: string } | undefined;
        if (error) ctx.line(`    ⚠ ${error.message}`);
      }
    }
    return rows.length === 0 ? EXIT.noReader : EXIT.ok;
  } finally {
    await ctx.release(port);
  }
}
