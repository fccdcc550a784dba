/**
 * `ecps companion` (what `npm start` runs until the desktop app lands): the readers and
 * cards, live, in French. Real PC/SC when it has a reader; otherwise the built-in virtual
 * reader, labelled as a demo on every screen.
 */
import type { ReaderEvent, ReaderPort } from '../../../src-shared/reader-port';
import { toHex } from '../../../src-shared/hex';
import { asEcpsError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { openReaderPort } from '../../reader/open-port';
import { inspectCard } from '../../reader/inspect';
import { eventToJson } from './watch';

async function describeReader(ctx: CliContext, port: ReaderPort, name: string): Promise<string> {
  const reader = port.readers().find((r) => r.name === name);
  const quoted = ctx.quote(name);
  if (!reader) return ctx.field(quoted, '—');
  if (!reader.cardPresent) return ctx.field(quoted, ctx.t('noCard'));
  try {
    const { identification: id, atr } = await inspectCard(port, reader);
    const serial = id.serialNumber ? ` ${ctx.t('serialShort', { serial: id.serialNumber })}` : '';
    return ctx.field(quoted, `${id.label[ctx.lang]}${serial} — ${ctx.t('atrLabel')} ${toHex(atr)}`);
  } catch (error) {
    return ctx.field(quoted, `⚠ ${asEcpsError(error).text(ctx.lang)}`);
  }
}

export async function runCompanion(ctx: CliContext): Promise<number> {
  const { port, demo, fallbackReason } = await openReaderPort({ mode: ctx.demo ? 'demo' : 'auto', transmitTimeoutMs: ctx.timeoutMs });
  const banner = () => {
    if (demo && !ctx.json) ctx.line(ctx.t('demoBanner'));
  };
  if (ctx.json) {
    ctx.emitJson({ type: 'started', demo, source: demo ? 'simulator' : 'pcsc', fallbackReason: fallbackReason?.toJSON(ctx.lang) ?? null });
  } else {
    banner();
    ctx.line(ctx.t('companionTitle'));
    if (fallbackReason) ctx.line(ctx.t('companionFallback', { why: fallbackReason.text(ctx.lang) }));
    ctx.line(ctx.t('companionSource', { source: demo ? ctx.t('companionSourceDemo') : ctx.t('companionSourcePcsc') }));
    for (const reader of port.readers()) ctx.line(`  ${await describeReader(ctx, port, reader.name)}`);
    ctx.line(ctx.t('companionNext'));
  }
  // Inspections run one at a time, in event order.
  let queue = Promise.resolve();
  const unsubscribe = port.onEvent((event: ReaderEvent) => {
    queue = queue.then(async () => {
      if (ctx.json) return ctx.emitJson(eventToJson(event, ctx.lang));
      banner();
      if (event.type === 'card-inserted') ctx.line(`  ${await describeReader(ctx, port, event.reader)}`);
      else if (event.type === 'card-removed') ctx.line(`  ${ctx.t('evCardRemoved', { reader: event.reader })}`);
      else if (event.type === 'service-down') ctx.line(`  ${ctx.t('evServiceDown', { message: event.error.text(ctx.lang) })}`);
      else if (event.type === 'service-up') ctx.line(`  ${ctx.t('evServiceUp')}`);
      else if (event.type === 'reader-added') ctx.line(`  ${ctx.t('evReaderAdded', { reader: event.reader })}`);
      else ctx.line(`  ${ctx.t('evReaderRemoved', { reader: event.reader })}`);
    });
  });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  unsubscribe();
  await queue;
  await ctx.release(port);
  return EXIT.ok;
}
