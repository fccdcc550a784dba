/**
 * GALSS (installed by ATSAM next to the Cryptolib, research notes §5–6): is it there, is its
 * galss.ini found, and do its channels point at the PC/SC readers that hold the right cards
 * (CANAL1 = CPS, CANAL2 = Vitale in field kits; swapped channels are a frequent support case).
 */
import { lookupGalssError } from '../knowledge';
import type { SlotRole } from '../knowledge-schema';
import { readerForChannel, type GalssFindings } from '../galss-ini';
import { isCps, isVitale, type SlotFacts } from '../reader-facts';
import { check, skipped, tx, type CheckResult } from '../types';
import { enCount, frCount } from '../plural';

const INSTALLED = tx('GALSS et galss.ini', 'GALSS and galss.ini');
const CHANNELS = tx('Canaux GALSS cohérents avec les lecteurs PC/SC', 'GALSS channels consistent with the PC/SC readers');

/** Field-kit convention [C]: CANAL1 = CPS, CANAL2 = Vitale. */
export const DEFAULT_GALSS_CHANNEL_ROLES: Readonly<Record<number, SlotRole>> = { 1: 'cps', 2: 'vitale' };

export function checkGalssInstalled(galss: GalssFindings): CheckResult {
  const evidence = { installed: galss.installed, installDir: galss.installDir ?? null, ini: galss.ini?.path ?? null, searched: galss.searched };
  if (galss.readError) {
    return check('galss.installed', 'fail', INSTALLED, tx(`galss.ini existe mais n’a pas pu être lu : ${galss.readError}`, `galss.ini exists but could not be read: ${galss.readError}`), evidence, {
      remedy: tx('Vérifiez les droits de lecture du fichier, ou réinstallez le GALSS (paquet ATSAM).', 'Check the file’s read permissions, or reinstall GALSS (ATSAM package).'),
    });
  }
  if (!galss.installed) {
    return check('galss.installed', 'ok', INSTALLED, tx('GALSS absent : les lecteurs sont utilisés en PC/SC seulement (recommandé).', 'GALSS not installed: readers are used through PC/SC only (recommended).'), evidence);
  }
  if (!galss.ini) {
    const missing = lookupGalssError(0x8001);
    return check('galss.installed', 'fail', INSTALLED, tx(`GALSS installé mais galss.ini introuvable (erreur GALSS 0x8001 : ${missing?.meaning.fr ?? ''}).`, `GALSS installed but galss.ini not found (GALSS error 0x8001: ${missing?.meaning.en ?? ''}).`), evidence, { remedy: missing?.remedy });
  }
  return check('galss.installed', 'ok', INSTALLED, tx(`GALSS installé ; galss.ini trouvé (${galss.ini.path}, ${frCount(galss.ini.channels.length, 'canal', 'canaux')}).`, `GALSS installed; galss.ini found (${galss.ini.path}, ${enCount(galss.ini.channels.length, 'channel', 'channels')}).`), evidence);
}

export function checkGalssChannels(galss: GalssFindings, facts: readonly SlotFacts[], roles: Readonly<Record<number, SlotRole>> = DEFAULT_GALSS_CHANNEL_ROLES): CheckResult {
  if (!galss.ini) return skipped('galss.channels', CHANNELS, tx('Pas de galss.ini : rien à comparer.', 'No galss.ini: nothing to compare.'));
  const names = facts.map((f) => f.reader);
  const problems: { fr: string; en: string }[] = [];
  let swapped = false;
  const channels = galss.ini.channels.map((channel) => {
    const role = roles[channel.number];
    const reader = readerForChannel(channel, names);
    const fact = facts.find((f) => f.reader === reader);
    const card = fact?.identification?.type ?? null;
    if (!channel.reader) {
      problems.push(tx(`CANAL${channel.number} n’a pas de « Caracteristiques= » (nom du lecteur).`, `CANAL${channel.number} has no "Caracteristiques=" (reader name).`));
    } else if (!reader) {
      problems.push(tx(`CANAL${channel.number} désigne « ${channel.reader} », que PC/SC ne montre pas.`, `CANAL${channel.number} names "${channel.reader}", which PC/SC does not show.`));
    } else if (role && fact) {
      const wrongCard = (role === 'cps' && isVitale(fact)) || (role === 'vitale' && isCps(fact));
      const wrongSlot = fact.expectedRole !== undefined && fact.expectedRole !== role;
      if (wrongCard || wrongSlot) {
        swapped = true;
        problems.push(
          tx(
            `CANAL${channel.number} (${role === 'cps' ? 'CPS' : 'Vitale'}) pointe vers « ${reader} »${wrongCard ? `, qui contient une carte ${role === 'cps' ? 'Vitale' : 'CPS'}` : `, la fente ${fact.expectedRole === 'cps' ? 'CPS' : 'Vitale'}`}.`,
            `CANAL${channel.number} (${role === 'cps' ? 'CPS' : 'Vitale'}) points to "${reader}"${wrongCard ? `, which holds a ${role === 'cps' ? 'Vitale' : 'CPS'} card` : `, the ${fact.expectedRole === 'cps' ? 'CPS' : 'Vitale'} slot`}.`,
          ),
        );
      }
    }
    return { channel: channel.number, expected: role ?? null, configuredReader: channel.reader ?? null, pcscReader: reader ?? null, card, fields: channel.fields };
  });
  for (const [n, role] of Object.entries(roles)) {
    if (!galss.ini.channels.some((c) => c.number === Number(n))) {
      problems.push(tx(`Pas de section [CANAL${n}] (${role === 'cps' ? 'CPS' : 'Vitale'}) dans galss.ini.`, `No [CANAL${n}] section (${role === 'cps' ? 'CPS' : 'Vitale'}) in galss.ini.`));
    }
  }
  const evidence = { ini: galss.ini.path, channels, pcscReaders: names, swapped };
  if (problems.length === 0) {
    return check('galss.channels', 'ok', CHANNELS, tx('Les canaux de galss.ini désignent les bons lecteurs (CANAL1 = CPS, CANAL2 = Vitale).', 'galss.ini channels name the right readers (CANAL1 = CPS, CANAL2 = Vitale).'), evidence);
  }
  const remedy = swapped
    ? tx('Canaux inversés : dans galss.ini, échangez les valeurs « Caracteristiques= » de [CANAL1] et [CANAL2] (CANAL1 = fente CPS), puis redémarrez le service GALSS.', 'Swapped channels: in galss.ini, swap the "Caracteristiques=" values of [CANAL1] and [CANAL2] (CANAL1 = CPS slot), then restart the GALSS service.')
    : tx('Corrigez galss.ini pour que chaque canal porte le nom exact d’un lecteur PC/SC (voir « ecps readers »), puis redémarrez le service GALSS.', 'Fix galss.ini so each channel carries the exact name of a PC/SC reader (see "ecps readers"), then restart the GALSS service.');
  return check('galss.channels', 'fail', CHANNELS, { fr: problems.map((p) => p.fr).join(' '), en: problems.map((p) => p.en).join(' ') }, evidence, { remedy });
}
