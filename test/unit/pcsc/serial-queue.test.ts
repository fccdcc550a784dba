import { describe, expect, it } from 'vitest';
import { SerialQueue, TIMED_OUT, callAsync, raceTimeout } from '../../../native-bindings/pcsc/serial-queue';
import { backoffDelay, resolveOptions } from '../../../native-bindings/pcsc/options';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SerialQueue', () => {
  it('runs tasks one at a time in call order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run(task('a', 20)), queue.run(task('b', 1)), queue.run(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });

  it('turns a synchronous throw into a rejection and keeps going', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => {
      throw new Error('sync');
    });
    const next = queue.run(() => 42);
    await expect(failing).rejects.toThrow('sync');
    await expect(next).resolves.toBe(42);
  });

  it('idle() waits for everything queued so far, failures included', async () => {
    const queue = new SerialQueue();
    let done = false;
    void queue.run(async () => {
      await sleep(10);
      done = true;
    });
    void queue.run(() => Promise.reject(new Error('x'))).catch(() => undefined);
    await queue.idle();
    expect(done).toBe(true);
  });
});

describe('raceTimeout / callAsync', () => {
  it('returns the value in time, TIMED_OUT otherwise', async () => {
    await expect(raceTimeout(Promise.resolve(1), 50)).resolves.toBe(1);
    await expect(raceTimeout(new Promise(() => undefined), 20)).resolves.toBe(TIMED_OUT);
    await expect(raceTimeout(Promise.reject(new Error('no')), 50)).rejects.toThrow('no');
  });

  it('callAsync never throws synchronously', async () => {
    const p = callAsync(() => {
      throw Object.assign(new Error('busy'), { code: 'CardIsBusy' });
    });
    await expect(p).rejects.toMatchObject({ code: 'CardIsBusy' });
  });
});

describe('options', () => {
  it('has documented defaults and a capped exponential back-off', () => {
    const o = resolveOptions();
    expect(o.transmitTimeoutMs).toBe(15_000);
    expect(o.connectTimeoutMs).toBe(10_000);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(o.recovery, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(resolveOptions({ transmitTimeoutMs: -5 }).transmitTimeoutMs).toBe(15_000);
  });
});
