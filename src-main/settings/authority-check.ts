/**
 * Checking the authority setting (see authority-setting.ts), without the authorities themselves:
 * reading the settings file must not load the sandbox authority and its PKI (the web shell's
 * start reads the settings before it serves the page).
 */
import type { LocalizedText } from '../../src-shared/errors';
import { settingsError } from './errors';

export type AuthoritySetting = 'sandbox' | string;

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The setting as it will be saved ('sandbox' or a normalised URL), or a coded error. */
export function checkAuthoritySetting(value: string): AuthoritySetting {
  const text = value.trim();
  if (text === 'sandbox') return 'sandbox';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw settingsError('SettingsAuthorityUrlInvalid', { value: text.slice(0, 200) });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw settingsError('SettingsAuthorityUrlInvalid', { value: text.slice(0, 200) });
  if (url.username || url.password || url.search || url.hash) throw settingsError('SettingsAuthorityUrlInvalid', { value: `${url.protocol}//${url.host}` });
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw settingsError('SettingsAuthorityHttpRefused', { value: url.href });
  return url.href.replace(/\/+$/, '');
}

/** What the UI shows for a URL authority when it does not answer (yet): its host. */
export function urlAuthorityLabel(setting: string): LocalizedText {
  const host = new URL(setting).host;
  return { fr: `Autorité ${host}`, en: `Authority ${host}` };
}
