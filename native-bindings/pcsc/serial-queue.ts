/** Watchdog helpers for pcsc-mini calls; the per-card queue itself is shared (src-shared). */
export { SerialQueue } from '../../src-shared/serial-queue';

export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for `promise` at most `ms` milliseconds. Resolves with TIMED_OUT when the time is up;
 * the promise itself keeps running (nothing in pcsc-mini, pcsc-lite or vpcd can be cancelled:
 * measured, a mute card blocks transmit() and connect() forever and client.stop() does not
 * cancel them), so the caller decides what to do with its late outcome.
 */
export function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  // One timer and one promise per call (this runs for every APDU): cheaper than
  // Promise.race + finally, and the timer is cleared as soon as the call settles.
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Calls `fn` and turns a synchronous throw into a rejected promise. */
export function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
