/** The sandbox activation authority: in-process, standalone HTTP server, relay. See README.md. */
export { SandboxAuthority, DEFAULT_LIFETIMES, SMS_SEND_LIMIT, type SandboxAuthorityOptions } from './sandbox-authority';
export { startAuthorityServer, STATE_FILE, type AuthorityServer, type AuthorityServerOptions } from './http-server';
export { attachRelay, RELAY_PATH, type RelayHandle, type RelayOptions } from './relay';
export { ProfessionalDirectory, maskEmail, maskMobile, type DirectoryEntry } from './directory';
export { AtomicJsonFile, MemoryStore, storeErrors, type DocumentStore } from './json-store';
export { authorityStateCodec, type AuthorityState, type OutboxMessage } from './state';
export { sandboxCardTrust, type CardTrust } from './card-proof';
