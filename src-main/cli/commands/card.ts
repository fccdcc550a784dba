/**
 * `ecps card [--reader NAME]`: type (confirmed by the card), ATR, serial number, protocol;
 * for a CPS also the holder's identity (authentication certificate, through PKCS#15) and the
 * PIN counter (read without spending a try). A Vitale card in the slot is named as such with
 * the "insert your CPS in the other slot" outcome; `card` still exits 0: it says what is in
 * the reader (the PIN and authentication commands exit 11 on it).
 */
import { toHex } from '../../../src-shared/hex';
import type { CpsIdentity, PinStatus } from '../../card/cps/index';
import { asEcpsError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { identityJson, identityLines, pinJson, pinText } from '../format';
import { withCardSession } from '../cps-session';
import { lookupSmartcardList } from '../../card/smartcard-list';

export async function runCard(ctx: CliContext, options: { reader?: string }): Promise<number> {
  return withCardSession(ctx, options.reader === undefined ? {} : { reader: options.reader }, async (session) => {
    const id = session.identification;
    const app = session.application;
    let identity: CpsIdentity | undefined;
    let pin: PinStatus | undefined;
    let identityError: ReturnType<typeof asEcpsError> | undefined;
    let pinError: ReturnType<typeof asEcpsError> | undefined;
    if (app.kind === 'cps') {
      // Neither failure hides the rest: a card with no certificate still has a PIN counter.
      identity = await app.readIdentity().catch((error: unknown) => {
        identityError = asEcpsError(error);
        return undefined;
      });
      pin = await app.pinStatus().catch((error: unknown) => {
        pinError = asEcpsError(error);
        return undefined;
      });
    }
    const outcome = app.kind === 'vitale' ? app.outcome() : undefined;
    // A card our knowledge base does not know: named from pcsc-tools' list when installed.
    const found = id.type === 'unknown' ? lookupSmartcardList(session.atr) : undefined;
    const names = found?.entries.map((e) => e.descriptions[0] as string) ?? [];
    const listed = found && names.length > 0 ? { source: found.file, names } : undefined;
    const label = listed ? (names[0] as string) : id.label[ctx.lang];
    const evidenceLines = [
      ...(id.evidenceText ? id.evidenceText.map((line) => line[ctx.lang]) : id.evidence),
      ...(listed ? [ctx.t('cardNamedFromList', { file: listed.source, names: names.join(' ; ') })] : []),
    ];
    if (ctx.json) {
      ctx.emitJson({
        reader: session.reader,
        demo: session.demo,
        atr: toHex(session.atr, ''),
        protocol: session.protocol ?? null,
        type: id.type,
        label,
        confirmed: id.confirmed,
        serialNumber: id.serialNumber ?? null,
        evidence: evidenceLines,
        ...(listed ? { listed } : {}),
        ...(app.kind === 'cps'
          ? {
              identity: identity ? identityJson(identity) : null,
              ...(identityError ? { identityError: identityError.toJSON(ctx.lang) } : {}),
              pin: pin ? pinJson(pin) : null,
              ...(pinError ? { pinError: pinError.toJSON(ctx.lang) } : {}),
            }
          : {}),
        ...(outcome ? { outcome: outcome.toJSON(ctx.lang) } : {}),
      });
      return EXIT.ok;
    }
    if (session.demo) ctx.line(ctx.t('demoBanner'));
    ctx.line(ctx.field(ctx.t('reader'), session.reader));
    ctx.line(ctx.field(ctx.t('typeLabel'), `${label} (${id.type})`));
    ctx.line(ctx.field(ctx.t('confirmedLabel'), id.confirmed ? ctx.t('yes') : ctx.t('no')));
    if (id.serialNumber) ctx.line(ctx.field(ctx.t('serialLabel'), id.serialNumber));
    ctx.line(ctx.field(ctx.t('atrLabel'), toHex(session.atr)));
    if (session.protocol) ctx.line(ctx.field(ctx.t('protocolLabel'), session.protocol.replace('T', 'T=')));
    if (identity) for (const line of identityLines(ctx, identity)) ctx.line(line);
    if (identityError) ctx.line(ctx.t('identityUnreadable', { message: identityError.text(ctx.lang) }));
    if (pin) ctx.line(ctx.field(ctx.t('pinLabel'), pinText(ctx, pin)));
    if (pinError) ctx.line(ctx.t('pinStatusUnreadable', { message: pinError.text(ctx.lang) }));
    if (outcome) {
      ctx.line(`⚠ ${outcome.text(ctx.lang)}`);
      const remedy = outcome.remedyText(ctx.lang);
      if (remedy) ctx.line(ctx.t('remedyLine', { remedy }));
    }
    for (const line of evidenceLines) ctx.line(`    · ${line}`);
    return EXIT.ok;
  });
}
