/** The phone link (issue 4 §3): what the activation orchestrator and the CLI import. */
export { PairingSession } from './pairing-session';
export type { CodeResult, PairingEvents, PairingPhase, PairingStartOptions, QrReason } from './pairing-types';
export { nodePairingCrypto } from './crypto';
export { pairingErrors } from './errors';
export { createRelayHub, startRelayServer, type RelayHub } from './relay';
export { parseRelayJoin, relayJoinUrl, type RelayRole } from '../../src-shared/pairing-protocol';
