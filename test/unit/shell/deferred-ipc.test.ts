/**
 * The web shell serves the page before the reader port has settled (launch.ts): requests and
 * event subscriptions taken meanwhile must reach the real services, in order, and never be
 * answered by a guess.
 */
import { describe, expect, it } from 'vitest';
import { deferredIpc } from '../../../src-main/shell/deferred-ipc';
import type { IpcEventListener, IpcEventSource } from '../../../src-main/ipc/handlers';
import type { IpcDispatcher } from '../../../src-main/ipc/validated';

function fakeServices() {
  const log: string[] = [];
  const listeners = new Set<IpcEventListener>();
  const dispatcher: IpcDispatcher = {
    async dispatch(channel) {
      log.push(`dispatch ${String(channel)}`);
      return { ok: true, result: { demo: false, channel } };
    },
  };
  const events: IpcEventSource = {
    subscribe(listener) {
      log.push('subscribe');
      listeners.add(listener);
      return () => {
        log.push('unsubscribe');
        listeners.delete(listener);
      };
    },
  };
  const emit = () => {
    for (const l of listeners) l('readers.changed', { demo: false, serviceUp: true, readers: [] } as never);
  };
  return { log, dispatcher, events, emit, listeners };
}

describe('deferredIpc', () => {
  it('a request made before the services exist waits for them and gets their answer', async () => {
    const real = fakeServices();
    let ready: (v: { dispatcher: IpcDispatcher; events: IpcEventSource }) => void = () => undefined;
    const ipc = deferredIpc(new Promise((resolve) => (ready = resolve)));
    let answered = false;
    const answer = ipc.dispatcher.dispatch('app.info', {}).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    expect(real.log).toEqual([]);
    ready(real);
    expect(await answer).toEqual({ ok: true, result: { demo: false, channel: 'app.info' } });
    // Once there, requests go straight through.
    expect(await ipc.dispatcher.dispatch('readers.list', {})).toEqual({ ok: true, result: { demo: false, channel: 'readers.list' } });
  });

  it('a subscription taken before is attached before any waiting request runs, and receives events', async () => {
    const real = fakeServices();
    let ready: (v: { dispatcher: IpcDispatcher; events: IpcEventSource }) => void = () => undefined;
    const ipc = deferredIpc(new Promise((resolve) => (ready = resolve)));
    const received: string[] = [];
    // The web shell's order: auth (subscription), then the page's first requests.
    ipc.events.subscribe((event) => received.push(event));
    const answer = ipc.dispatcher.dispatch('readers.list', {});
    ready(real);
    await answer;
    expect(real.log).toEqual(['subscribe', 'dispatch readers.list']);
    real.emit();
    expect(received).toEqual(['readers.changed']);
  });

  it('a socket gone before the services came never subscribes; one gone after unsubscribes', async () => {
    const real = fakeServices();
    let ready: (v: { dispatcher: IpcDispatcher; events: IpcEventSource }) => void = () => undefined;
    const ready$ = new Promise<{ dispatcher: IpcDispatcher; events: IpcEventSource }>((resolve) => (ready = resolve));
    const ipc = deferredIpc(ready$);
    const early = ipc.events.subscribe(() => undefined);
    const late = ipc.events.subscribe(() => undefined);
    early();
    ready(real);
    await ready$;
    await Promise.resolve();
    expect(real.listeners.size).toBe(1);
    late();
    expect(real.listeners.size).toBe(0);
  });

  it('services that fail to start: requests are answered InternalError, never left hanging', async () => {
    const ipc = deferredIpc(Promise.reject(new Error('no port')));
    const result = await ipc.dispatcher.dispatch('app.info', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('InternalError');
    expect(() => ipc.events.subscribe(() => undefined)()).not.toThrow();
  });
});
