/**
 * The authority setting: 'sandbox' (the in-process SandboxAuthority, the default) or the base
 * URL of an HTTP authority. https only, except http to this computer (the standalone
 * `ecps authority` sandbox on 127.0.0.1): activation data never crosses a network in clear.
 */
import type { ActivationAuthority } from '../../src-shared/activation-authority';
import { AuthorityHttpClient } from '../activation/authority-http-client';
import { SandboxAuthority } from '../../simulators/authority/index';
import { checkAuthoritySetting, type AuthoritySetting } from './authority-check';

/** A fresh authority client for the setting (the caller keeps it for the next activation). */
export function createAuthority(setting: AuthoritySetting): ActivationAuthority {
  return setting === 'sandbox' ? new SandboxAuthority() : new AuthorityHttpClient({ baseUrl: checkAuthoritySetting(setting) });
}
