import { describe, expect, it } from 'vitest';
import { relayRejoinDelay } from '../../../src-main/pairing/relay';

describe('desktop relay rejoin backoff', () => {
  it('rejoins at once after a healthy wait ran out, then backs off 50 ms doubling up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(relayRejoinDelay)).toEqual([0, 50, 100, 200, 400, 800, 1_600, 3_200, 5_000]);
    expect(relayRejoinDelay(1_000)).toBe(5_000);
  });

  it('keeps a relay that is down for a whole e-mailed QR (30 min) to one attempt per 5 s at most', () => {
    let t = 0;
    let attempts = 0;
    for (let failures = 1; t < 30 * 60_000; failures++) {
      t += relayRejoinDelay(failures);
      attempts++;
    }
    expect(attempts).toBeLessThan(30 * 60_000 / 5_000 + 10);
    expect(attempts).toBeGreaterThan(30 * 60_000 / 5_000 - 10); // still trying to the end
  });
});
