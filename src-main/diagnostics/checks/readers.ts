/**
 * USB devices that look like card readers but PC/SC does not show, and the reader models
 * recognised from the knowledge base (resources/knowledge/readers.json) with their quirks.
 * "Looks like a reader" = a knowledge-base USB id, or a USB interface of class 0B (CCID).
 * "Visible" = a PC/SC reader name matches the model's name patterns, or contains the USB
 * product string.
 */
import type { LocalizedText } from '../../../src-shared/errors';
import type { ReaderKnowledge } from '../knowledge';
import type { ReaderEntry } from '../knowledge-schema';
import type { SlotFacts } from '../reader-facts';
import type { UsbDevice, UsbEnumeration } from '../usb';
import { check, joinText, skipped, tx, type CheckResult } from '../types';

const USB = tx('Lecteurs USB invisibles pour PC/SC', 'USB readers invisible to PC/SC');
const MODEL = tx('Modèle de lecteur', 'Reader model');

export interface UsbReaderDevice {
  device: UsbDevice;
  model?: ReaderEntry;
  visibleAs: string[];
}

export function usbReaderDevices(usb: UsbEnumeration, readerNames: readonly string[], kb: ReaderKnowledge): UsbReaderDevice[] {
  const out: UsbReaderDevice[] = [];
  for (const device of usb.devices) {
    const model = kb.byUsb(device.vendorId, device.productId);
    if (!model && !device.ccid) continue;
    const product = device.product?.toLowerCase();
    const visibleAs = readerNames.filter((name) => (model && kb.nameMatches(model, name)) || (product !== undefined && product.length >= 3 && name.toLowerCase().includes(product)));
    out.push({ device, ...(model ? { model } : {}), visibleAs });
  }
  return out;
}

/** A model named in words (not a product reference) has a name per language. */
const modelName = (model: ReaderEntry, lang: 'fr' | 'en') => model.label?.[lang] ?? model.model;

const usbLabel = (d: UsbDevice) => `${d.vendorId.toUpperCase()}:${d.productId.toUpperCase()}${d.product ? ` ${d.product}` : ''}`;

export function checkUsbReaders(usb: UsbEnumeration, devices: readonly UsbReaderDevice[], serviceUp: boolean): CheckResult[] {
  if (!usb.supported) {
    // Say why in the user's terms: "Linux only" read on a Linux machine was a contradiction (issue 12 item 10).
    const why =
      usb.unsupportedBecause === 'no-sysfs'
        ? tx(
            `La liste des périphériques USB de cet ordinateur n’est pas lisible (${usb.root ?? '/sys/bus/usb/devices'} absent, par exemple dans un conteneur ou une machine virtuelle) : vérification non faite.`,
            `This computer’s list of USB devices cannot be read (${usb.root ?? '/sys/bus/usb/devices'} is missing, e.g. in a container or a virtual machine): not checked.`,
          )
        : tx('Cette vérification n’existe encore que sous Linux : elle n’est pas faite sur ce système.', 'This check exists only on Linux for now: it is not done on this system.');
    return [skipped('usb.invisible-readers', USB, why)];
  }
  const hidden = devices.filter((d) => d.visibleAs.length === 0);
  if (hidden.length === 0) {
    return [
      check('usb.invisible-readers', 'ok', USB, tx('Chaque lecteur vu sur l’USB est aussi visible par PC/SC.', 'Every reader seen on USB is also visible to PC/SC.'), {
        usbReaders: devices.map((d) => ({ usb: usbLabel(d.device), model: d.model?.id ?? null, pcscReaders: d.visibleAs })),
      }),
    ];
  }
  return hidden.map(({ device, model }) => {
    const quirks = model?.quirks.filter((q) => q.level === 'warn') ?? [];
    const explanation = joinText(
      tx(
        `Le périphérique USB ${usbLabel(device)}${model ? ` (${model.vendor} ${modelName(model, 'fr')})` : ''} ressemble à un lecteur de cartes mais PC/SC ne le voit pas.`,
        `USB device ${usbLabel(device)}${model ? ` (${model.vendor} ${modelName(model, 'en')})` : ''} looks like a card reader but PC/SC does not see it.`,
      ),
      ...quirks.map((q) => q.text),
    );
    const remedies: LocalizedText[] = quirks.flatMap((q) => (q.remedy ? [q.remedy] : []));
    const generic = serviceUp
      ? tx(
          'Vérifiez que le lecteur est en mode PC/SC (et non PSS/GALSS) et que son pilote est installé, puis débranchez-le et rebranchez-le.',
          'Check the reader is in PC/SC mode (not PSS/GALSS) and its driver is installed, then unplug and plug it back.',
        )
      : tx('Démarrez d’abord le service PC/SC (voir plus haut).', 'Start the PC/SC service first (see above).');
    return check(
      'usb.invisible-readers',
      serviceUp ? 'fail' : 'warn',
      USB,
      explanation,
      { usb: { id: device.id, vendorId: device.vendorId, productId: device.productId, manufacturer: device.manufacturer ?? null, product: device.product ?? null, ccidInterface: device.ccid }, model: model?.id ?? null },
      { remedy: remedies.length > 0 ? joinText(...remedies) : generic, subject: usbLabel(device) },
    );
  });
}

/** One result per physical reader (slots grouped), named by the knowledge base when it can. */
export function checkReaderModels(facts: readonly SlotFacts[], usbDevices: readonly UsbReaderDevice[]): CheckResult[] {
  const groups = new Map<string, SlotFacts[]>();
  for (const f of facts) {
    const key = `${f.slot.base}\u0000${f.slot.readerIndex ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((slots) => {
    const first = slots[0]!;
    const model = first.model ?? usbDevices.find((d) => d.visibleAs.includes(first.reader))?.model;
    const evidence = { slots: slots.map((s) => s.reader), model: model?.id ?? null, quirks: model?.quirks.map((q) => q.id) ?? [], sources: model?.sources ?? [] };
    if (!model) {
      return check('reader.model', 'ok', MODEL, tx(`Lecteur « ${first.slot.base} » : modèle absent de la base de connaissances (aucune particularité connue).`, `Reader "${first.slot.base}": model not in the knowledge base (no known quirk).`), evidence, { subject: first.slot.base });
    }
    const warn = model.quirks.filter((q) => q.level === 'warn');
    const remedies = model.quirks.flatMap((q) => (q.remedy ? [q.remedy] : []));
    return check(
      'reader.model',
      warn.length > 0 ? 'warn' : 'ok',
      MODEL,
      joinText(tx(`${model.vendor} — ${modelName(model, 'fr')}.`, `${model.vendor} — ${modelName(model, 'en')}.`), ...model.quirks.map((q) => q.text)),
      evidence,
      { remedy: remedies.length > 0 ? joinText(...remedies) : undefined, subject: first.slot.base },
    );
  });
}
