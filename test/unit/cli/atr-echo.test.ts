/**
 * Issue 13 #11: an `ecps atr` error line repeats only the start of what it refused (an ATR is
 * at most 66 hex digits), never the whole input: 20 MiB in used to mean 20 MiB out.
 * (Only the CLI's error formatting: the ATR parser itself is src-main/card/atr.ts.)
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';

describe('ecps atr error echo', () => {
  it('20 MiB of garbage on stdin: one short error line (JSON), with the input length', async () => {
    const garbage = 'Z'.repeat(20 * 1024 * 1024);
    const run = await runMain(['atr', '--json', '-'], { stdin: `${garbage}\n3B6500002063CB6600\n` });
    expect(run.code).toBe(8);
    expect(run.stdout.length).toBeLessThan(2_000);
    const [bad, good] = jsonLines(run.stdout);
    expect(bad).toMatchObject({ atr: `${'Z'.repeat(66)}…`, inputLength: garbage.length, error: { code: 'AtrNotHex' } });
    expect(good).toMatchObject({ atr: '3B6500002063CB6600' });
  }, 30_000);

  it('a hex input far longer than any ATR: analysed leniently (too long, a warning), its echo cut in the JSON and in the human output', async () => {
    const long = `3B${'00'.repeat(100_000)}`;
    const json = await runMain(['atr', '--json', long]);
    expect(json.stdout.length).toBeLessThan(2_000);
    const [report] = jsonLines(json.stdout);
    expect(report).toMatchObject({ atr: `${long.slice(0, 66)}…`, inputLength: long.length });
    expect((report as { warnings: { code: string }[] }).warnings.map((w) => w.code)).toContain('over-max-length');
    const human = await runMain(['atr', long]);
    expect(human.code).toBe(0);
    expect(human.stdout.length).toBeLessThan(2_000);
    expect(human.stdout).toContain(`(entrée de ${long.length} caractères, coupée ci-dessus)`);
  });

  it('a short refused input is still echoed whole', async () => {
    const run = await runMain(['atr', '--json', 'nothex']);
    expect(jsonLines(run.stdout)[0]).toEqual({ atr: 'nothex', error: expect.objectContaining({ code: 'AtrNotHex' }) });
  });
});
