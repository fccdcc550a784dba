/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped", after vitest's own
 * summary, so CI logs state plainly how many tests ran (a run with no test is a failure), and
 * the heading of any hang-guard report written during the run (test/support/hang-guard.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Where test/support/hang-watchdog.mjs writes the report of a worker it killed. */
const HANG_REPORTS = path.resolve('test-results', 'hang-guard');

export default class SummaryReporter implements Reporter {
  #startedAt = Date.now();

  onTestRunStart(): void {
    this.#startedAt = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++; // a file that failed to load
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    if (passed + failed === 0) process.exitCode = 1;
    // A worker killed by the hang guard leaves its tests "skipped": say so plainly, and fail.
    for (const { file, report } of this.#hangReports()) {
      const heading = report.split('\n').filter((line) => /^(HANG GUARD|  file:|  test running:|  last test:)/.test(line));
      process.stdout.write(`${heading.join('\n')}\n  (full report: ${path.relative(process.cwd(), file)})\n`);
      process.exitCode = 1;
    }
  }

  #hangReports(): { file: string; report: string }[] {
    let names: string[];
    try {
      names = fs.readdirSync(HANG_REPORTS);
    } catch {
      return [];
    }
    return names
      .map((name) => path.join(HANG_REPORTS, name))
      .filter((file) => fs.statSync(file).mtimeMs >= this.#startedAt)
      .map((file) => ({ file, report: fs.readFileSync(file, 'utf8') }));
  }
}
