/**
 * `ecps readers`: readers and what is in them.
 * `ecps readers --strategies | --forget NAME | --forget-all [--state-dir DIR]`: the fallback
 * strategies remembered per reader (reader-memory.ts, in the per-user state folder of
 * state-dir.ts): list them, forget one (the next ladder starts from the default again), forget
 * them all. These never touch PC/SC.
 */
import { toHex } from '../../../src-shared/hex';
import { isEcpsError } from '../../../src-shared/errors';
import { asEcpsError, usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { openPcscOrFail } from '../../reader/open-port';
import { inspectCard } from '../../reader/inspect';
import { ReaderMemory } from '../../reader/reader-memory';
import { resolveStateDir } from '../../reader/state-dir';
import { formatStrategy } from '../../diagnostics/report';
import { diagnosticsError } from '../../diagnostics/errors';

export interface ReadersOptions {
  strategies?: boolean;
  forget?: string;
  forgetAll?: boolean;
  stateDir?: string;
}

export async function runReaders(ctx: CliContext, options: ReadersOptions = {}): Promise<number> {
  const modes = [options.strategies === true, options.forget !== undefined, options.forgetAll === true].filter(Boolean).length;
  if (modes > 1) throw usageError('readersStrategyOptionsClash');
  if (modes === 1) return runStrategies(ctx, options);
  if (options.stateDir !== undefined) throw usageError('readersStateDirAlone');
  return runReaderList(ctx);
}

/** File-system trouble of the memory (EACCES, EISDIR…) as a named, actionable error. */
async function onMemory<T>(directory: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isEcpsError(error)) throw error;
    throw diagnosticsError('StateDirUnusable', { directory }, { details: { directory }, cause: error });
  }
}

async function runStrategies(ctx: CliContext, options: ReadersOptions): Promise<number> {
  const state = resolveStateDir(options.stateDir);
  const memory = new ReaderMemory({ directory: state.directory });
  const entries = await onMemory(state.directory, () => memory.list());
  const where = { directory: state.directory, source: state.source };

  if (options.strategies) {
    if (ctx.json) {
      ctx.emitJson({ ...where, strategies: entries.map((e) => ({ reader: e.reader, strategy: e.strategy, rungs: e.rungs, rememberedAt: e.rememberedAt, ...(e.atr ? { atr: e.atr } : {}) })) });
      return EXIT.ok;
    }
    if (entries.length === 0) {
      ctx.line(ctx.t('strategiesNone', { directory: state.directory }));
      return EXIT.ok;
    }
    ctx.line(ctx.t('strategiesTitle', { directory: state.directory }));
    for (const e of entries) {
      const rungs = e.rungs.length > 0 ? e.rungs.join(' → ') : ctx.t('strategiesDefault');
      ctx.line(`  ${ctx.t('strategiesEntry', { reader: ctx.quote(e.reader), rungs, date: e.rememberedAt.slice(0, 19).replace('T', ' ') })}`);
      ctx.line(`      ${ctx.t('strategiesDetail', { strategy: formatStrategy(e.strategy) })}`);
      if (e.atr) ctx.line(`      ${ctx.t('atrLabel')} ${e.atr}`);
    }
    return EXIT.ok;
  }

  if (options.forget !== undefined) {
    const name = options.forget;
    if (!entries.some((e) => e.reader === name)) {
      const known = entries.map((e) => ctx.quote(e.reader)).join(', ') || '—';
      throw diagnosticsError('ReaderNotRemembered', { reader: name, known }, { details: { reader: name } });
    }
    await onMemory(state.directory, () => memory.forget(name));
    if (ctx.json) ctx.emitJson({ ...where, forgotten: [name] });
    else ctx.line(ctx.t('strategyForgotten', { reader: ctx.quote(name) }));
    return EXIT.ok;
  }

  // --forget-all: nothing written when there is nothing to forget.
  if (entries.length > 0) await onMemory(state.directory, () => memory.forget());
  const forgotten = entries.map((e) => e.reader);
  if (ctx.json) ctx.emitJson({ ...where, forgotten });
  else if (forgotten.length === 0) ctx.line(ctx.t('strategiesNothingToForget', { directory: state.directory }));
  else ctx.line(ctx.t('strategiesForgottenAll', { count: forgotten.length, readers: forgotten.map((r) => ctx.quote(r)).join(', ') }));
  return EXIT.ok;
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
