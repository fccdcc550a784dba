/** `ecps readers --strategies | --forget NAME | --forget-all`: the fallback strategies remembered per reader. */
import { isEcpsError } from '../../../src-shared/errors';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { ReaderMemory } from '../../reader/reader-memory';
import { resolveStateDir } from '../../reader/state-dir';
import { formatStrategy } from '../../diagnostics/report';
import { diagnosticsError } from '../../diagnostics/errors';
import type { ReadersOptions } from './readers';

/** File-system trouble of the memory (EACCES, EISDIR…) as a named, actionable error. */
async function onMemory<T>(directory: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isEcpsError(error)) throw error;
    throw diagnosticsError('StateDirUnusable', { directory }, { details: { directory }, cause: error });
  }
}

export async function runStrategies(ctx: CliContext, options: ReadersOptions): Promise<number> {
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

