/** `ecps card [--reader NAME]`: type (confirmed by the card), ATR, serial number, protocol. */
import { toHex } from '../../../src-shared/hex';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { openPcscOrFail } from '../../reader/open-port';
import { findReader, inspectCard } from '../../reader/inspect';

export async function runCard(ctx: CliContext, options: { reader?: string }): Promise<number> {
  const { port, demo } = await openPcscOrFail({ demo: ctx.demo, transmitTimeoutMs: ctx.timeoutMs });
  try {
    const reader = findReader(port, options.reader);
    const inspection = await inspectCard(port, reader);
    if (inspection.error) throw inspection.error;
    const id = inspection.identification;
    if (ctx.json) {
      ctx.emitJson({
        reader: inspection.reader,
        demo,
        atr: toHex(inspection.atr, ''),
        protocol: inspection.protocol ?? null,
        type: id.type,
        label: id.label[ctx.lang],
        confirmed: id.confirmed,
        serialNumber: id.serialNumber ?? null,
        evidence: id.evidence,
      });
    } else {
      if (demo) ctx.line(ctx.t('demoBanner'));
      ctx.line(ctx.field(ctx.t('reader'), inspection.reader));
      ctx.line(ctx.field(ctx.t('typeLabel'), `${id.label[ctx.lang]} (${id.type})`));
      ctx.line(ctx.field(ctx.t('confirmedLabel'), id.confirmed ? ctx.t('yes') : ctx.t('no')));
      if (id.serialNumber) ctx.line(ctx.field(ctx.t('serialLabel'), id.serialNumber));
      ctx.line(ctx.field(ctx.t('atrLabel'), toHex(inspection.atr)));
      if (inspection.protocol) ctx.line(ctx.field(ctx.t('protocolLabel'), inspection.protocol.replace('T', 'T=')));
      for (const line of id.evidence) ctx.line(`    · ${line}`);
    }
    return EXIT.ok;
  } finally {
    await ctx.release(port);
  }
}
