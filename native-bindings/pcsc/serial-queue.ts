/**
 * Runs async tasks one at a time, in call order.
 *
 * Why: a pcsc-mini Card runs one native task at a time and answers a second concurrent call
 * by THROWING `CardIsBusy` synchronously (measured; it has no internal queue, see
 * pcsc-mini's Session.zig `assertCardReady`). Callers of a CardConnection may fire calls
 * concurrently, so every call on one card goes through one of these queues.
 *
 * A task that throws synchronously becomes a rejection of its own promise; a failed task
 * never blocks or fails the tasks after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Tasks queued or running. */
  get size(): number {
    return this.waiting;
  }

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const done = () => {
      this.waiting--;
    };
    // Fast path (every APDU of a sequential caller): nothing queued, start now instead of
    // waiting one more microtask turn behind a settled tail.
    const result = this.waiting++ === 0 ? callAsync(async () => task()) : this.tail.then(task);
    this.tail = result.then(done, done);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(
      () => undefined,
      () => undefined,
    );
  }
}

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
