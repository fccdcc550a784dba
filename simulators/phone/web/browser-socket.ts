/**
 * The browser's WebSocket as the phone core's `PhoneSocket`. A browser always sends its page's
 * Origin: the desktop accepts only the origin of the page server it started (upgrade-guard.ts).
 */
import type { PhoneSocket } from '../phone-core';

export function openBrowserSocket(url: string, timeoutMs: number): Promise<PhoneSocket> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (error) {
      reject(error);
      return;
    }
    let handlers: Parameters<PhoneSocket['listen']>[0] | undefined;
    const early: { code: number; reason: string }[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`timeout opening ${url}`));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve({
        send: (text) => ws.send(text),
        close: (code, reason) => {
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason.slice(0, 120));
        },
        get isOpen() {
          return ws.readyState === WebSocket.OPEN;
        },
        listen(h) {
          handlers = h;
          for (const c of early.splice(0)) h.close(c.code, c.reason);
        },
      });
    };
    ws.onmessage = (event: MessageEvent) => handlers?.message(typeof event.data === 'string' ? event.data : undefined);
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot open ${url}`));
    };
    ws.onclose = (event: CloseEvent) => {
      clearTimeout(timer);
      reject(new Error(`closed before opening (${event.code})`));
      if (handlers) handlers.close(event.code, event.reason);
      else early.push({ code: event.code, reason: event.reason });
    };
  });
}
