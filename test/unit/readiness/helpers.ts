/** Recorded outputs of the real commands, served by a fake CommandRunner (test/unit/readiness/fixtures). */
import { readFileSync } from 'node:fs';
import type { CommandResult, CommandRunner } from '../../../src-main/readiness/command-runner';

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

export type RecordedTable = Record<string, Partial<CommandResult> | string>;

/** Answers `"cmd arg1 arg2"` from the table (a string is stdout with exit 0); anything else: tool missing. */
export function recordedRunner(table: RecordedTable): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const runner = (async (command: string, args: readonly string[]) => {
    const key = [command, ...args].join(' ');
    calls.push(key);
    const hit = table[key];
    if (hit === undefined) return { code: null, stdout: '', stderr: '', missing: true };
    return typeof hit === 'string' ? { code: 0, stdout: hit, stderr: '' } : { code: 0, stdout: '', stderr: '', ...hit };
  }) as CommandRunner & { calls: string[] };
  runner.calls = calls;
  return runner;
}
