/**
 * The reference phone in Node (the e-CPS app's side of the pairing), as a library: the
 * `ecps phone` CLI, the tests and the bench drive it. The protocol itself is the
 * transport-agnostic core (phone-core.ts, shared with the web page); this file adds the `ws`
 * socket and the synchronous crypto suite the caller injects (`PairingCrypto`: the CLI passes
 * the node:crypto suite from src-main/pairing — simulators may not import src-main).
 */
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, type PairingCrypto } from '../../src-shared/pairing-protocol';
import { PhoneLink, type PhoneSocket } from './phone-core';

export type { PhoneEvents } from './phone-core';

export interface PhoneClientOptions {
  crypto: PairingCrypto;
  /** Per endpoint: the direct attempt must fail fast on 4G / client isolation. */
  connectTimeoutMs?: number;
  /** The phone's clock may differ from the computer's: tolerate this much past `expiresAt`. */
  clockSkewMs?: number;
  /** Skip the direct endpoint (tests of the relay path; a phone known to be off the LAN). */
  relayOnly?: boolean;
  now?: () => number;
}

export class PhoneClient extends PhoneLink {
  static async connect(qrText: string, options: PhoneClientOptions): Promise<PhoneClient> {
    return new PhoneClient(await PhoneLink.establish(qrText, { ...options, openSocket: openWsSocket }));
  }
}

/** A `ws` client socket as the core's `PhoneSocket`. */
export function openWsSocket(url: string, timeoutMs: number): Promise<PhoneSocket> {
  return new Promise((resolve, reject) => {
    // No Origin header: the native app is not a browser (the desktop refuses unknown Origins).
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => undefined);
      resolve({
        send: (text) => ws.send(text),
        close: (code, reason) => ws.close(code, reason),
        get isOpen() {
          return ws.readyState === WebSocket.OPEN;
        },
        listen(handlers) {
          ws.on('message', (data, isBinary) => handlers.message(isBinary ? undefined : (data as Buffer).toString('utf8')));
          ws.on('close', (code, reason) => handlers.close(code, reason.toString('utf8')));
        },
      });
    });
    ws.once('error', (error) => reject(error));
  });
}
