/** `ecps diagnose --demo`: the whole path with the built-in virtual reader (no hardware). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { tempDir } from './helpers';

describe('ecps diagnose --demo', () => {
  it('--json --html: exit 0, the report with masked holder, the HTML file written', async () => {
    const file = path.join(tempDir('ecps-diag-'), 'rapport.html');
    const run = await runMain(['diagnose', '--demo', '--json', '--html', file]);
    expect(run.code).toBe(EXIT.ok);
    const [report] = jsonLines(run.stdout) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(report).toMatchObject({ format: 'ecps-diagnostic-report', demo: true, personalDataShown: false, summary: { fail: 0 } });
    expect(report!.cards[0].holder.surname).toBe('D***');
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('MODE DÉMONSTRATION');
    expect(html).not.toContain('DUPONT');
  });

  it('human output in French: the summary and where the HTML went; --show-personal-data shows the name', async () => {
    const run = await runMain(['diagnose', '--demo', '--show-personal-data']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^Diagnostic Compagnon e-CPS/);
    expect(run.stdout).toContain('CPS : DUPONT Marie');
    expect(run.stdout).toMatch(/Bilan : OK/);
  });

  it('a bad --authority is a usage error (exit 2)', async () => {
    const run = await runMain(['diagnose', '--demo', '--authority', 'ftp://x']);
    expect(run.code).toBe(EXIT.usage);
  });

  it('an unwritable --html path: exit 1 with ReportWriteFailed', async () => {
    const run = await runMain(['diagnose', '--demo', '--json', '--html', '/nonexistent-dir/x.html']);
    expect(run.code).toBe(EXIT.failure);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ error: { code: 'ReportWriteFailed' } });
  });
});
