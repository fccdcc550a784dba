import { createI18n } from 'vue-i18n';
import { fr, en } from './locales/index';

export type Lang = 'fr' | 'en';
export type MessageSchema = typeof fr;

/**
 * French first, English complete (the locale files have the same keys; a unit test checks).
 * Composition API only; messages are compiled just in time (vue-i18n ≥ 10): no `new Function`,
 * so the CSP needs no 'unsafe-eval'.
 */
export function createAppI18n(locale: Lang = 'fr') {
  return createI18n<[MessageSchema], Lang>({
    legacy: false,
    locale,
    fallbackLocale: 'fr',
    messages: { fr, en },
  });
}
