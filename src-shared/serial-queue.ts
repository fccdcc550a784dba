/**
 * Runs async tasks one at a time, in call order; a task that throws (even synchronously)
 * rejects its own promise and never blocks or fails the tasks after it.
 *
 * Used wherever one resource must see one operation at a time: a pcsc-mini Card (it THROWS
 * `CardIsBusy` synchronously on a concurrent call — native-bindings/pcsc), a CPS whose current
 * file and security environment must not interleave (src-main/card/cps). Not re-entrant.
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
    // waiting one more microtask turn behind a settled tail — and without an async wrapper,
    // whose returned promise would cost extra turns on every APDU.
    const result = this.waiting++ === 0 ? startNow(task) : this.tail.then(task);
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


function startNow<T>(task: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(task());
  } catch (error) {
    return Promise.reject(error);
  }
}
