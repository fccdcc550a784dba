/**
 * The report (issue 6 §3): personal data masked by default and shown only on request; the
 * HTML is one self-contained file (no script, no external URL) that escapes everything; the
 * text summary is short; PIN/PUK data never reaches the trace section.
 */
import { describe, expect, it } from 'vitest';
import { ApduTrace } from '../../../src-main/reader/apdu-trace';
import { buildReport, renderHtml, renderJson, renderTextSummary, safeTraceEntry } from '../../../src-main/diagnostics/index';
import { maskDigits, maskName } from '../../../src-main/diagnostics/mask';
import { runDiagnostics } from '../../../src-main/diagnostics/run';
import { check, tx } from '../../../src-main/diagnostics/types';
import { demoReader, isolated } from './helpers';

describe('masking', () => {
  it('name → first letter, RPPS → first and last three digits', () => {
    expect(maskName('DUPONT')).toBe('D***');
    expect(maskDigits('99700075122')).toBe('997*****122');
    expect(maskDigits('12345')).toBe('1****');
  });

  it('the report of a CPS masks name and RPPS everywhere (cards, check evidence, trace), and shows them when asked', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', 'vitale2')));
    const masked = renderJson(buildReport(run));
    const holder = buildReport(run, { showPersonalData: true }).cards[0]!.holder!;
    expect(holder.surname).toBe('DUPONT');
    const rpps = String(holder.rpps);
    expect(rpps).toMatch(/^997\d{8}$/);
    for (const secret of ['DUPONT', 'Marie', rpps]) expect(masked).not.toContain(secret);
    expect(masked).toContain('"surname": "D***"');
    expect(masked).toContain(`"rpps": "${rpps.slice(0, 3)}*****${rpps.slice(-3)}"`);
    // The certificate (with the name in it) read from the card is not in the trace either.
    expect(masked).toMatch(/octets de données carte masqués/);
    expect(masked).not.toContain(Buffer.from('DUPONT').toString('hex').toUpperCase().match(/../g)!.join(' '));
    const html = renderHtml(buildReport(run));
    expect(html).not.toContain('DUPONT');
    expect(renderTextSummary(buildReport(run))).toContain('CPS : D*** M***');
  });
});

describe('trace safety', () => {
  it('a VERIFY that reached the report unredacted is redacted again', () => {
    const entry = { at: '2026-01-01T00:00:00.000Z', command: '00 20 00 01 08 31 32 33 34 FF FF FF FF', response: '90 00', sw: '9000', ms: 1, redacted: false };
    const safe = safeTraceEntry(entry, true);
    expect(safe.command).toBe('00 20 00 01 08 ** redacted (8 bytes) **');
    expect(safe.redacted).toBe(true);
    expect(safeTraceEntry({ ...entry, command: '00 A4 04 0C 02 3F 00' }, true).command).toBe('00 A4 04 0C 02 3F 00');
  });

  it('the ApduTrace redaction survives into the report', async () => {
    const trace = new ApduTrace();
    trace.record({ command: Uint8Array.of(0x00, 0x24, 0x00, 0x01, 0x04, 0x31, 0x32, 0x33, 0x34), response: Uint8Array.of(0x90, 0x00), ms: 1, sensitive: false });
    const run = await runDiagnostics(isolated(await demoReader(null, null), { trace }));
    const json = renderJson(buildReport(run));
    expect(json).toContain('** redacted (4 bytes) **');
    expect(json).not.toContain('31 32 33 34');
  });
});

describe('HTML and text renderers', () => {
  it('escapes every value, has no <script>, no external URL, inline CSS, French and text status labels', async () => {
    const run = await runDiagnostics(isolated(await demoReader('vitale2', null)));
    run.checks.push(check('test.evil', 'fail', tx('<script>alert(1)</script>', 'x'), tx('"><img src=x onerror=alert(1)> & https://evil.example/x.js', 'x'), { note: '</pre><script>' }, { subject: '<b>lecteur</b>' }));
    const html = renderHtml(buildReport(run, { fallback: [{ reader: '<i>r</i>', strategy: 'T=0', outcome: 'ok' }] }));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\b(src|href|action)\s*=/i); // as attributes: escaped text may say "src="
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;lecteur&lt;/b&gt;');
    expect(html).toContain('&lt;i&gt;r&lt;/i&gt;');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(html).toContain('<style>');
    expect(html).toContain('<span class="status s-fail">ÉCHEC</span>');
    expect(html).toContain('Une carte Vitale est dans la fente CPS.');
  });

  it('text summary: a few lines, problems first with what to do; English on request', async () => {
    const report = buildReport(await runDiagnostics(isolated(await demoReader('vitale2', null))));
    const text = renderTextSummary(report);
    expect(text.split('\n').length).toBeLessThan(20);
    expect(text).toMatch(/Bilan : ÉCHEC — \d+ OK, \d+ attention, 1 échec, /);
    expect(text).toContain('- [ÉCHEC] Bonne carte dans la bonne fente (Lecteur virtuel Compagnon e-CPS 00 00) : Une carte Vitale est dans la fente CPS.');
    expect(text).toContain('  Que faire : Mettez la carte CPS dans la fente CPS');
    expect(renderTextSummary(report, 'en')).toContain('Result: FAILED');
  });

  it('fallback section: absent list → "not provided"; the ladder’s outcomes carried as given', async () => {
    const run = await runDiagnostics(isolated(await demoReader(null, null)));
    expect(buildReport(run).fallback).toEqual({ provided: false, outcomes: [], readers: [], memory: null });
    const outcomes = [{ reader: 'R 00 00', strategy: 'protocol-t0', outcome: 'succeeded', remembered: true }];
    expect(buildReport(run, { fallback: outcomes }).fallback).toEqual({ provided: true, outcomes, readers: [], memory: null });
  });
});
