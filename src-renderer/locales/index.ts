/**
 * The renderer's messages, one pair of files per area (same keys in fr and en; a unit test
 * checks each pair). Each area file holds one top-level namespace, so areas never collide.
 */
import frCore from './fr.json';
import enCore from './en.json';
import frActivation from './activation.fr.json';
import enActivation from './activation.en.json';
import frSettings from './settings.fr.json';
import enSettings from './settings.en.json';
import frPhone from './phone.fr.json';
import enPhone from './phone.en.json';
import frReal from './real.fr.json';
import enReal from './real.en.json';

export const localePairs = {
  core: { fr: frCore, en: enCore },
  activation: { fr: frActivation, en: enActivation },
  settings: { fr: frSettings, en: enSettings },
  phone: { fr: frPhone, en: enPhone },
  real: { fr: frReal, en: enReal },
} as const;

export const fr = { ...frCore, ...frActivation, ...frSettings, ...frPhone, ...frReal };
export const en = { ...enCore, ...enActivation, ...enSettings, ...enPhone, ...enReal };
