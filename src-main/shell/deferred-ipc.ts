/**
 * The IPC side of the web shell before it exists (issue 11 §2, start → interactive home).
 * The launcher serves the page and prints its URL while the reader port settles (PC/SC's first
 * reader batch, or the demo reader's virtual cards and PKI): the browser loads the renderer
 * meanwhile. Until the services are there, every request waits for them — it is answered by
 * the real handlers, never by a guess — so the first screen can never show a wrong demo/real
 * state. Event subscriptions are taken at once and attached when the services come, in the
 * order they were taken (before any waiting request runs: no `readers.changed` is lost between
 * the page's first `readers.list` and its subscription).
 */
import type { IpcDispatcher } from '../ipc/validated';
import type { IpcEventListener, IpcEventSource } from '../ipc/handlers';
import { transportError } from '../ipc/validated';

export interface DeferredIpc {
  dispatcher: IpcDispatcher;
  events: IpcEventSource;
}

/**
 * `ready` resolves with the real dispatcher and event source. When it rejects, requests are
 * answered `InternalError` (the launcher reports the failure itself and stops).
 */
export function deferredIpc(ready: Promise<{ dispatcher: IpcDispatcher; events: IpcEventSource }>): DeferredIpc {
  // Settled once; later calls go straight to the real objects.
  let real: { dispatcher: IpcDispatcher; events: IpcEventSource } | undefined;
  const settled = ready.then(
    (value) => {
      real = value;
    },
    () => undefined,
  );
  return {
    dispatcher: {
      async dispatch(channel, payload) {
        if (!real) await settled;
        if (!real) return { ok: false, error: transportError('InternalError') };
        return real.dispatcher.dispatch(channel, payload);
      },
    },
    events: {
      subscribe(listener: IpcEventListener) {
        if (real) return real.events.subscribe(listener);
        let unsubscribe: (() => void) | undefined;
        let cancelled = false;
        void settled.then(() => {
          if (!cancelled && real) unsubscribe = real.events.subscribe(listener);
        });
        return () => {
          cancelled = true;
          unsubscribe?.();
        };
      },
    },
  };
}
