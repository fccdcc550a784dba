/**
 * Runs card operations one at a time, in call order: a CPS has one current file and one
 * security environment, so a SELECT/READ or MSE/PSO pair must not interleave with another.
 * A failed task never blocks the next ones. Not re-entrant: a task must not run another
 * task on the same queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
