/**
 * `ecps`: the headless tool for technicians and tests. French by default (`--lang en`),
 * `--json` on every command, exit codes in ./exit-codes.ts (documented in the README).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import type { Lang } from '../../src-shared/errors';
import { createContext, usageError, type CliContext, type CliIo } from './context';
import { EXIT } from './exit-codes';
import { t } from './messages';
import { runReaders } from './commands/readers';
import { runWatch } from './commands/watch';
import { runAtr } from './commands/atr';
import { runCard } from './commands/card';
import { runSimulate } from './commands/simulate';
import { runCompanion } from './commands/companion';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  options: Options;
  run(ctx: CliContext, values: Values, positionals: string[]): Promise<number>;
}

const GLOBAL_OPTIONS: Options = {
  json: { type: 'boolean' },
  lang: { type: 'string' },
  demo: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

const COMMANDS: Record<string, Command> = {
  readers: { options: {}, run: (ctx) => runReaders(ctx) },
  watch: { options: {}, run: (ctx) => runWatch(ctx) },
  atr: { options: {}, run: (ctx, _v, args) => runAtr(ctx, args) },
  card: { options: { reader: { type: 'string' } }, run: (ctx, v) => runCard(ctx, { reader: v.reader as string | undefined }) },
  simulate: {
    options: {
      slot: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'vpcd-port': { type: 'string' },
      'vpcd-host': { type: 'string' },
    },
    run: (ctx, v, args) =>
      runSimulate(ctx, {
        kind: args[0],
        slot: v.slot as string | undefined,
        faults: (v.fault as string[] | undefined) ?? [],
        vpcdPort: v['vpcd-port'] as string | undefined,
        vpcdHost: v['vpcd-host'] as string | undefined,
      }),
  },
  companion: { options: {}, run: (ctx) => runCompanion(ctx) },
};

function defaultIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    signal: controller.signal,
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function pickLang(value: unknown): Lang | undefined {
  const v = value ?? process.env.ECPS_LANG;
  if (v === undefined) return 'fr';
  return v === 'fr' || v === 'en' ? v : undefined;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const name = argv.find((a) => !a.startsWith('-'));
  const command = name === undefined ? undefined : COMMANDS[name];
  // Language first, so even a usage error is printed in the right one.
  const langArg = argv.indexOf('--lang');
  const langValue = langArg >= 0 ? argv[langArg + 1] : argv.find((a) => a.startsWith('--lang='))?.slice(7);
  const lang = pickLang(langValue) ?? 'fr';
  const bare = createContext(io, { lang, json: argv.includes('--json'), demo: false, timeoutMs: 15000 });

  if (name !== undefined && !command) return bare.fail(usageError(t(lang, 'unknownCommand', { name })));

  let values: Values;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv.filter((a, i) => !(a === name && i === argv.indexOf(name))),
      options: { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values as Values;
    positionals = parsed.positionals;
  } catch (err) {
    return bare.fail(usageError((err as Error).message));
  }

  if (pickLang(values.lang) === undefined) return bare.fail(usageError(`--lang ${String(values.lang)} (fr | en)`));
  if (values.version) {
    io.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  if (values.help || !command) {
    io.stdout(`${t(lang, 'usageTitle')}\n\n${t(lang, 'usageBody')}\n`);
    return command || values.help ? EXIT.ok : EXIT.usage;
  }
  const timeoutMs = values.timeout === undefined ? 15000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    return bare.fail(usageError(`--timeout ${String(values.timeout)} (100–600000 ms)`));
  }
  const ctx = createContext(io, { lang, json: values.json === true, demo: values.demo === true, timeoutMs });
  try {
    return await command.run(ctx, values, positionals);
  } catch (err) {
    return ctx.fail(err);
  }
}
