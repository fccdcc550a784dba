/**
 * The renderer's ONLY door to the main process (electron-anchors.md §2).
 *
 * - Under Electron the preload exposes the bridge as `window.api` (named functions generated
 *   from the IPC contract); we use it as is.
 * - In the web shell we speak the contract over a websocket on the page's own origin
 *   (`WEB_SHELL_WS_PATH`), after an `auth` frame carrying the token read from the page URL
 *   (`#token=…`). Requests are `{ id, channel, payload }`, answers `{ id, ok, result|error }`,
 *   pushes `{ event, payload }`.
 *
 * Nothing else in src-renderer may touch `window.api`, WebSocket or the token. PIN payloads
 * are never logged or kept here: a request frame is built, sent and dropped.
 */
import { ref, readonly, type Ref } from 'vue';
import {
  REQUEST_CHANNELS,
  WEB_SHELL_TOKEN_PARAM,
  WEB_SHELL_WS_PATH,
  functionNameOf,
  type BridgeApi,
  type BridgeError,
  type EventChannel,
  type EventOf,
  type IpcError,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Unsubscribe,
} from '../../src-shared/ipc-contract';

export type ConnectionState = 'connecting' | 'open' | 'lost' | 'refused';

const connection = ref<ConnectionState>('connecting');
let instance: BridgeApi | undefined;

declare global {
  interface Window {
    api?: BridgeApi;
  }
}

function bridgeError(channel: string, code: string, fr: string, en: string): BridgeError {
  return { channel, code, message: { fr, en } };
}

/** The token from the page URL: fragment first (`#token=`), then the query string. */
export function readToken(location: Pick<Location, 'hash' | 'search'>): string | undefined {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get(WEB_SHELL_TOKEN_PARAM);
  return fromHash ?? new URLSearchParams(location.search).get(WEB_SHELL_TOKEN_PARAM) ?? undefined;
}

interface Pending {
  channel: string;
  resolve: (value: unknown) => void;
  reject: (error: BridgeError) => void;
}

/** A websocket client implementing the contract's `BridgeApi`. */
export function createWebSocketBridge(options: { url: string; token: string; state?: Ref<ConnectionState> }): BridgeApi {
  const state = options.state ?? ref<ConnectionState>('connecting');
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const queue: string[] = [];
  let socket: WebSocket | undefined;
  let authSent = false;
  let nextId = 1;
  let retryDelay = 250;

  const failAll = (code: string) => {
    for (const [id, p] of pending) {
      p.reject(bridgeError(p.channel, code, 'La connexion avec le compagnon est interrompue.', 'The connection to the companion was lost.'));
      pending.delete(id);
    }
  };

  const connect = () => {
    state.value = state.value === 'lost' ? 'lost' : 'connecting';
    const ws = new WebSocket(options.url);
    socket = ws;
    // The requests made meanwhile go right behind the auth frame, without waiting for
    // `auth-ok`: the companion reads a socket's frames in order and answers nothing before the
    // token matched (a wrong token closes the socket, failing them all). One round trip less
    // before the first screen has its answers.
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token: options.token }));
      authSent = true;
      for (const data of queue.splice(0)) ws.send(data);
    });
    ws.addEventListener('message', (msg) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(msg.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      if (frame.type === 'auth-ok') {
        retryDelay = 250;
        state.value = 'open';
        return;
      }
      if (typeof frame.event === 'string') {
        emit(frame.event, frame.payload);
        return;
      }
      if (typeof frame.id === 'number') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        if (frame.ok === true) p.resolve(frame.result);
        else {
          const error = (frame.error ?? {}) as Partial<IpcError>;
          p.reject({
            channel: p.channel,
            code: error.code ?? 'InternalError',
            message: error.message ?? { fr: 'Erreur inconnue.', en: 'Unknown error.' },
            ...(error.remedy ? { remedy: error.remedy } : {}),
            ...(error.details ? { details: error.details } : {}),
          });
        }
      }
    });
    ws.addEventListener('close', (ev) => {
      if (socket !== ws) return;
      authSent = false;
      failAll('Disconnected');
      if (ev.code === 4401) {
        state.value = 'refused';
        return;
      }
      state.value = 'lost';
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 4000);
    });
  };

  function emit(event: string, payload: unknown) {
    const set = listeners.get(event);
    if (set) for (const listener of set) listener(payload);
  }

  function invoke<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { channel, resolve: resolve as (v: unknown) => void, reject });
      const data = JSON.stringify({ id, channel, payload });
      if (authSent && socket?.readyState === WebSocket.OPEN) socket.send(data);
      else if (state.value === 'refused') {
        pending.delete(id);
        reject(bridgeError(channel, 'Unauthorized', 'Connexion refusée par le compagnon.', 'Connection refused by the companion.'));
      } else queue.push(data);
    });
  }

  function on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): Unsubscribe {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const fn = listener as (payload: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  connect();
  const api: Record<string, unknown> = { invoke, on };
  for (const channel of REQUEST_CHANNELS) {
    api[functionNameOf(channel)] = (payload: unknown) => invoke(channel, payload as never);
  }
  return api as BridgeApi;
}

/** Test seam: component tests and other shells hand their own bridge in. */
export function setBridge(bridge: BridgeApi | undefined): void {
  instance = bridge;
}

export function useBridge(): { bridge: BridgeApi; connection: Readonly<Ref<ConnectionState>> } {
  if (!instance) {
    if (typeof window !== 'undefined' && window.api) {
      instance = window.api;
      connection.value = 'open';
    } else {
      const token = readToken(window.location) ?? '';
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      instance = createWebSocketBridge({ url: `${scheme}://${window.location.host}${WEB_SHELL_WS_PATH}`, token, state: connection });
    }
  }
  return { bridge: instance, connection: readonly(connection) };
}

/** A bridge error's text in the UI language (message + remedy). */
export function errorText(error: unknown, lang: 'fr' | 'en'): { message: string; remedy?: string; code: string } {
  const e = error as Partial<BridgeError> | undefined;
  if (e && typeof e === 'object' && e.message && typeof e.message === 'object') {
    return { code: e.code ?? 'InternalError', message: e.message[lang], ...(e.remedy ? { remedy: e.remedy[lang] } : {}) };
  }
  return { code: 'InternalError', message: lang === 'fr' ? 'Erreur inattendue.' : 'Unexpected error.' };
}
