/** `ecps watch`: live reader and card events until Ctrl-C (JSON lines with --json). */
import type { ReaderEvent } from '../../../src-shared/reader-port';
import { toHex } from '../../../src-shared/hex';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { openReaderPort } from '../../reader/open-port';
import { identifyAtr } from '../../card/identify';
import { readerErrors } from '../../reader/errors';

export function eventToJson(event: ReaderEvent, lang: 'fr' | 'en'): Record<string, unknown> {
  const at = new Date().toISOString();
  switch (event.type) {
    case 'card-inserted': {
      const card = identifyAtr(event.atr);
      return { at, type: event.type, reader: event.reader, atr: toHex(event.atr, ''), card: { type: card.type, label: card.label[lang] } };
    }
    case 'service-down':
      return { at, type: event.type, error: event.error.toJSON(lang) };
    case 'service-up':
      return { at, type: event.type };
    default:
      return { at, type: event.type, reader: event.reader };
  }
}

function describe(ctx: CliContext, event: ReaderEvent): string {
  switch (event.type) {
    case 'reader-added':
      return ctx.t('evReaderAdded', { reader: event.reader });
    case 'reader-removed':
      return ctx.t('evReaderRemoved', { reader: event.reader });
    case 'card-inserted':
      return ctx.t('evCardInserted', { reader: event.reader, label: identifyAtr(event.atr).label[ctx.lang], atr: toHex(event.atr) });
    case 'card-removed':
      return ctx.t('evCardRemoved', { reader: event.reader });
    case 'service-down':
      return ctx.t('evServiceDown', { message: event.error.text(ctx.lang) });
    case 'service-up':
      return ctx.t('evServiceUp');
  }
}

export async function runWatch(ctx: CliContext): Promise<number> {
  // Unlike the one-shot commands, watch starts even while pcscd is down: it reports
  // 'service-down' and waits for the service to come back.
  const { port, demo } = await openReaderPort({ mode: ctx.demo ? 'demo' : 'pcsc', transmitTimeoutMs: ctx.timeoutMs });
  const print = (event: ReaderEvent) => {
    if (ctx.json) ctx.emitJson(eventToJson(event, ctx.lang));
    else ctx.line(`${new Date().toLocaleTimeString(ctx.lang === 'fr' ? 'fr-FR' : 'en-GB')}  ${describe(ctx, event)}`);
  };
  if (!ctx.json) {
    if (demo) ctx.line(ctx.t('demoBanner'));
    ctx.line(ctx.t('watchStarted'));
  }
  const unsubscribe = port.onEvent(print);
  // The state at start, as events, so a script sees every reader and card once.
  if (!port.serviceAvailable()) print({ type: 'service-down', error: readerErrors.create('ServiceUnavailable') });
  for (const reader of port.readers()) {
    print({ type: 'reader-added', reader: reader.name });
    if (reader.cardPresent && reader.atr) print({ type: 'card-inserted', reader: reader.name, atr: reader.atr });
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  unsubscribe();
  await ctx.release(port);
  return EXIT.ok;
}
