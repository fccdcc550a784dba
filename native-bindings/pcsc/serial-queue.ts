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

/**
 * raceTimeout for the calls of one connection, which run one at a time (its SerialQueue),
 * without arming and clearing a timer for every APDU. Measured (issue 11 §3, interleaved over
 * vpcd): a setTimeout + clearTimeout pair per call added ~4 % to a SELECT that takes ~170 µs,
 * most of our layers' whole overhead. Here one timer is armed once and, when it fires, either
 * times the call in flight out or re-arms itself for what is left of that call's time.
 * Unref'd: an idle connection must not keep the process alive; a call in flight does
 * (pcsc-mini's pending native work).
 */
export class CallWatchdog {
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (performance.now() time). */
  #firesAt = 0;
  #deadline = 0;
  #expire: (() => void) | undefined;

  watch<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const expire = () => {
        if (settled) return;
        settled = true;
        resolve(TIMED_OUT);
      };
      const deadline = performance.now() + ms;
      this.#deadline = deadline;
      this.#expire = expire;
      if (this.#timer === undefined) this.#arm(ms);
      else if (this.#firesAt > deadline) {
        // A shorter limit than the one the timer was armed for (rare: control after transmit).
        clearTimeout(this.#timer);
        this.#arm(ms);
      }
      promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          if (this.#expire === expire) this.#expire = undefined;
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          if (this.#expire === expire) this.#expire = undefined;
          reject(error);
        },
      );
    });
  }

  #arm(ms: number): void {
    this.#firesAt = performance.now() + ms;
    this.#timer = setTimeout(() => this.#check(), ms);
    this.#timer.unref();
  }

  #check(): void {
    this.#timer = undefined;
    const expire = this.#expire;
    if (!expire) return; // idle: the next call arms a new timer
    const left = this.#deadline - performance.now();
    if (left > 0) {
      this.#arm(left);
      return;
    }
    this.#expire = undefined;
    expire();
  }
}
