/**
 * `ecps`: the headless tool for technicians and tests. French by default (`--lang en`),
 * `--json` on every command, exit codes in ./exit-codes.ts (documented in the README).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import type { EcpsError, Lang } from '../../src-shared/errors';
import { createContext, usageError, type CliContext, type CliIo } from './context';
import { EXIT } from './exit-codes';
import { t } from './messages';
import { cliError } from './cli-errors';
import type { ApduTrace } from '../reader/apdu-trace';

// Each command is loaded when it runs (dynamic imports, one bundle chunk each): `ecps atr`
// does not parse the activation, pairing or PKI code it never uses.
const commands = {
  readers: () => import('./commands/readers'),
  watch: () => import('./commands/watch'),
  atr: () => import('./commands/atr'),
  card: () => import('./commands/card'),
  simulate: () => import('./commands/simulate'),
  companion: () => import('./commands/companion'),
  pin: () => import('./commands/pin'),
  authTest: () => import('./commands/auth-test'),
  portalTest: () => import('./commands/portal-test'),
  activate: () => import('./commands/activate'),
  phone: () => import('./commands/phone'),
  authority: () => import('./commands/authority'),
  diagnose: () => import('./commands/diagnose'),
  ready: () => import('./commands/ready'),
};

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  options: Options;
  /** How many positional arguments the command takes (after its name). */
  maxArgs: number;
  run(ctx: CliContext, values: Values, positionals: string[]): Promise<number>;
}

const GLOBAL_OPTIONS: Options = {
  json: { type: 'boolean' },
  lang: { type: 'string' },
  demo: { type: 'boolean' },
  timeout: { type: 'string' },
  trace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

const COMMANDS: Record<string, Command> = {
  readers: {
    options: { strategies: { type: 'boolean' }, forget: { type: 'string' }, 'forget-all': { type: 'boolean' }, 'state-dir': { type: 'string' } },
    maxArgs: 0,
    run: async (ctx, v) =>
      (await commands.readers()).runReaders(ctx, {
        strategies: v.strategies === true,
        forgetAll: v['forget-all'] === true,
        ...(v.forget !== undefined ? { forget: v.forget as string } : {}),
        ...(v['state-dir'] !== undefined ? { stateDir: v['state-dir'] as string } : {}),
      }),
  },
  watch: { options: {}, maxArgs: 0, run: async (ctx) => (await commands.watch()).runWatch(ctx) },
  atr: { options: {}, maxArgs: Infinity, run: async (ctx, _v, args) => (await commands.atr()).runAtr(ctx, args) },
  card: {
    options: { reader: { type: 'string' } },
    maxArgs: 0,
    run: async (ctx, v) => (await commands.card()).runCard(ctx, { reader: v.reader as string | undefined }),
  },
  pin: {
    options: {
      reader: { type: 'string' },
      'pin-stdin': { type: 'boolean' },
      'confirm-last-try': { type: 'boolean' },
      // Declared only to be refused with the reason (pin.ts): a code never comes from argv.
      pin: { type: 'string' },
      puk: { type: 'string' },
    },
    maxArgs: Infinity,
    run: async (ctx, v, args) =>
      (await commands.pin()).runPin(ctx, {
        args,
        ...(v.reader !== undefined ? { reader: v.reader as string } : {}),
        pinStdin: v['pin-stdin'] === true,
        confirmLastTry: v['confirm-last-try'] === true,
        codeOnArgv: v.pin !== undefined || v.puk !== undefined,
      }),
  },
  'auth-test': {
    options: {
      reader: { type: 'string' },
      'pin-stdin': { type: 'boolean' },
      'confirm-last-try': { type: 'boolean' },
      trust: { type: 'string', multiple: true },
      pin: { type: 'string' },
    },
    maxArgs: Infinity,
    run: async (ctx, v, args) =>
      (await commands.authTest()).runAuthTest(ctx, {
        args,
        ...(v.reader !== undefined ? { reader: v.reader as string } : {}),
        pinStdin: v['pin-stdin'] === true,
        confirmLastTry: v['confirm-last-try'] === true,
        codeOnArgv: v.pin !== undefined,
        trust: (v.trust as string[] | undefined) ?? [],
      }),
  },
  'portal-test': {
    options: {
      port: { type: 'string' },
      trust: { type: 'string', multiple: true },
      once: { type: 'boolean' },
      client: { type: 'boolean' },
      module: { type: 'string' },
      reader: { type: 'string' },
      'pin-stdin': { type: 'boolean' },
      'confirm-last-try': { type: 'boolean' },
      pin: { type: 'string' },
    },
    maxArgs: Infinity,
    run: async (ctx, v, args) =>
      (await commands.portalTest()).runPortalTest(ctx, {
        args,
        ...(v.port !== undefined ? { port: v.port as string } : {}),
        trust: (v.trust as string[] | undefined) ?? [],
        once: v.once === true,
        client: v.client === true,
        ...(v.module !== undefined ? { module: v.module as string } : {}),
        ...(v.reader !== undefined ? { reader: v.reader as string } : {}),
        pinStdin: v['pin-stdin'] === true,
        confirmLastTry: v['confirm-last-try'] === true,
        codeOnArgv: v.pin !== undefined,
      }),
  },
  simulate: {
    options: {
      pin: { type: 'string' },
      puk: { type: 'string' },
      holder: { type: 'string' },
      variant: { type: 'string' },
      serial: { type: 'string' },
      slot: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'vpcd-port': { type: 'string' },
      'vpcd-host': { type: 'string' },
    },
    maxArgs: 1,
    run: async (ctx, v, args) =>
      (await commands.simulate()).runSimulate(ctx, {
        kind: args[0],
        slot: v.slot as string | undefined,
        faults: (v.fault as string[] | undefined) ?? [],
        vpcdPort: v['vpcd-port'] as string | undefined,
        vpcdHost: v['vpcd-host'] as string | undefined,
        pin: v.pin as string | undefined,
        puk: v.puk as string | undefined,
        holder: v.holder as string | undefined,
        variant: v.variant as string | undefined,
        serial: v.serial as string | undefined,
      }),
  },
  companion: { options: {}, maxArgs: 0, run: async (ctx) => (await commands.companion()).runCompanion(ctx) },
  diagnose: {
    options: {
      html: { type: 'string' },
      'show-personal-data': { type: 'boolean' },
      reader: { type: 'string' },
      authority: { type: 'string' },
      'allow-exclusive': { type: 'boolean' },
      'state-dir': { type: 'string' },
    },
    maxArgs: 0,
    run: async (ctx, v) =>
      (await commands.diagnose()).runDiagnose(ctx, {
        showPersonalData: v['show-personal-data'] === true,
        allowExclusive: v['allow-exclusive'] === true,
        ...(v['state-dir'] !== undefined ? { stateDir: v['state-dir'] as string } : {}),
        ...(v.html !== undefined ? { html: v.html as string } : {}),
        ...(v.reader !== undefined ? { reader: v.reader as string } : {}),
        ...(v.authority !== undefined ? { authority: v.authority as string } : {}),
      }),
  },
  ready: {
    options: { reader: { type: 'string' } },
    maxArgs: 0,
    run: async (ctx, v) => (await commands.ready()).runReady(ctx, v.reader !== undefined ? { reader: v.reader as string } : {}),
  },
  activate: {
    options: {
      reader: { type: 'string' },
      authority: { type: 'string' },
      bind: { type: 'string' },
      relay: { type: 'string' },
      stdin: { type: 'boolean' },
      'accept-cgu': { type: 'boolean' },
      'without-card': { type: 'boolean' },
      'national-id': { type: 'string' },
      'password-iterations': { type: 'string' },
    },
    maxArgs: 0,
    run: async (ctx, v) =>
      (await commands.activate()).runActivate(ctx, {
        ...(v.reader !== undefined ? { reader: v.reader as string } : {}),
        ...(v.authority !== undefined ? { authority: v.authority as string } : {}),
        ...(v.bind !== undefined ? { bind: v.bind as string } : {}),
        ...(v.relay !== undefined ? { relay: v.relay as string } : {}),
        ...(v['national-id'] !== undefined ? { nationalId: v['national-id'] as string } : {}),
        ...(/^\d{4,7}$/.test(String(v['password-iterations'])) ? { passwordIterations: Number(v['password-iterations']) } : {}),
        stdin: v.stdin === true,
        acceptCgu: v['accept-cgu'] === true,
        withoutCard: v['without-card'] === true,
      }),
  },
  phone: {
    options: {
      stdin: { type: 'boolean' },
      'payload-stdin': { type: 'boolean' },
      'relay-only': { type: 'boolean' },
      web: { type: 'boolean' },
      port: { type: 'string' },
      bind: { type: 'string' },
    },
    maxArgs: 1,
    run: async (ctx, v, args) =>
      (await commands.phone()).runPhone(ctx, {
        ...(args[0] !== undefined ? { payload: args[0] } : {}),
        ...(v['payload-stdin'] === true ? { payloadStdin: true } : {}),
        stdin: v.stdin === true,
        relayOnly: v['relay-only'] === true,
        ...(v.web === true ? { web: { ...(v.port !== undefined ? { port: v.port as string } : {}), ...(v.bind !== undefined ? { bind: v.bind as string } : {}) } } : {}),
      }),
  },
  authority: {
    options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } },
    maxArgs: 0,
    run: async (ctx, v) =>
      (await commands.authority()).runAuthority(ctx, {
        ...(v.port !== undefined ? { port: v.port as string } : {}),
        ...(v.host !== undefined ? { host: v.host as string } : {}),
        ...(v.data !== undefined ? { data: v.data as string } : {}),
      }),
  },
};

/** Every `--name` / `-x` that takes a value, whatever the command: its value is not the command name. */
const VALUE_OPTIONS = new Set(
  [GLOBAL_OPTIONS, ...Object.values(COMMANDS).map((c) => c.options)].flatMap((options) =>
    Object.entries(options)
      .filter(([, o]) => o.type === 'string')
      .flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]),
  ),
);

/** The command word: the first argument that is neither an option nor an option's value. */
function findCommand(argv: string[]): { name: string; index: number } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return i + 1 < argv.length ? { name: argv[i + 1] as string, index: i + 1 } : undefined;
    if (arg.startsWith('-') && arg !== '-') {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    return { name: arg, index: i };
  }
  return undefined;
}

/**
 * Commands that never touch PC/SC (nor a command line naming none: help, version, a usage
 * error). bin/ecps.mjs runs them in its own process; every other command runs in a worker
 * process, the guard against a mute card pinning a thread (see bin/ecps.mjs).
 */
const NO_CARD_COMMANDS: ReadonlySet<string> = new Set(['atr']);

export function runsWithoutCard(argv: string[]): boolean {
  const found = findCommand(argv);
  if (found === undefined || !(found.name in COMMANDS) || NO_CARD_COMMANDS.has(found.name)) return true;
  return argv.some((arg) => arg === '--help' || arg === '-h' || arg === '--version' || arg === '-v');
}

type Parsed = { values: Values; positionals: string[] } | { error: EcpsError };

/** parseArgs, with its (English-only) errors replaced by our own French-first ones. */
function parseCommandLine(args: string[], options: Options, commandName: string, maxArgs: number): Parsed {
  const { values, positionals, tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const definition = options[token.name];
    if (!definition) return { error: usageError('unknownOption', { option: token.rawName }) };
    // `--reader --json`: the next option is not taken as the value (parseArgs would).
    if (definition.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      return { error: usageError('missingValue', { option: token.rawName }) };
    }
    if (definition.type === 'boolean' && token.value !== undefined) {
      return { error: usageError('noValueExpected', { option: token.rawName }) };
    }
  }
  if (positionals.length > maxArgs) {
    return { error: usageError('unexpectedArgument', { arg: positionals[maxArgs] as string, command: commandName }) };
  }
  return { values: values as Values, positionals };
}

function defaultIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Run by bin/ecps.mjs as a worker: the launcher passes on the signals it receives.
  process.on('message', (message: { type?: string } | null) => {
    if (message?.type === 'abort') stop();
  });
  if (process.send) {
    // The launcher gone (killed by a signal sent to it alone, which it could not pass on): stop
    // as on Ctrl-C rather than run on unseen. A callback: a closed channel is never an 'error'.
    process.once('disconnect', stop);
    process.send({ type: 'ready' }, () => undefined);
  }
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    signal: controller.signal,
    exitsAfterCommand: true,
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The language asked for (option, then ECPS_LANG), or why it is not one we speak. */
function pickLang(option: string | undefined): { lang: Lang } | { error: EcpsError } {
  if (option !== undefined) {
    return option === 'fr' || option === 'en' ? { lang: option } : { error: usageError('badLang', { value: option }) };
  }
  const env = process.env.ECPS_LANG;
  if (env === undefined || env === '') return { lang: 'fr' };
  return env === 'fr' || env === 'en' ? { lang: env } : { error: usageError('badLangEnv', { value: env }) };
}

/** `--lang` as typed, read before parsing so even a usage error speaks the right language. */
function langOption(argv: string[]): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--lang') value = argv[i + 1];
    else if (arg.startsWith('--lang=')) value = arg.slice('--lang='.length);
  });
  return value;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const found = findCommand(argv);
  const command = found === undefined ? undefined : COMMANDS[found.name];
  const picked = pickLang(langOption(argv));
  const lang = 'lang' in picked ? picked.lang : 'fr';
  const bare = createContext(io, { lang, json: argv.includes('--json'), demo: false, timeoutMs: 15000 });
  if ('error' in picked) return bare.fail(picked.error);

  if (found !== undefined && !command) return bare.fail(usageError('unknownCommand', { name: found.name }));

  const args = found === undefined ? argv : argv.filter((_, i) => i !== found.index);
  const parsed = parseCommandLine(args, { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) }, found?.name ?? '', command?.maxArgs ?? 0);
  if ('error' in parsed) return bare.fail(parsed.error);
  const { values, positionals } = parsed;

  if (values.version) {
    io.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  if (values.help || !command) {
    // `ecps` alone is a wrong command line: the help then goes to stderr, with exit code 2.
    const { VIRTUAL_CARD_KINDS } = await import('../../simulators/cards/catalog');
    const help = `${t(lang, 'usageTitle')}\n\n${t(lang, 'usageBody', { cards: VIRTUAL_CARD_KINDS.join(', ') })}\n`;
    if (values.help) {
      io.stdout(help);
      return EXIT.ok;
    }
    io.stderr(help);
    return EXIT.usage;
  }
  const timeoutMs = values.timeout === undefined ? 15000 : /^\d+$/.test(String(values.timeout)) ? Number(values.timeout) : NaN;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    return bare.fail(usageError('badTimeout', { value: String(values.timeout) }));
  }
  const tracePath = typeof values.trace === 'string' ? values.trace : undefined;
  const trace = tracePath === undefined ? undefined : new (await import('../reader/apdu-trace')).ApduTrace({ maxEntries: 5000 });
  const ctx = createContext(io, { lang, json: values.json === true, demo: values.demo === true, timeoutMs, ...(trace ? { trace } : {}) });
  let code: number;
  try {
    code = await command.run(ctx, values, positionals);
  } catch (err) {
    code = ctx.fail(err);
  }
  if (trace && tracePath !== undefined) code = writeTrace(ctx, trace, tracePath, found?.name ?? '', code);
  return code;
}

/**
 * `--trace FILE`: the command's APDU exchanges, PIN/PUK data redacted by ApduTrace. The
 * header names the command only (never argv: a mistyped code could sit there).
 */
function writeTrace(ctx: CliContext, trace: ApduTrace, file: string, command: string, code: number): number {
  const header = [
    `# Compagnon e-CPS — ecps ${command} — ${new Date().toISOString()} — exit ${code}`,
    `# ${trace.list().length} APDU exchange(s); VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER data redacted`,
  ];
  try {
    writeFileSync(file, `${[...header, trace.toText()].join('\n')}\n`, { mode: 0o600 });
  } catch (error) {
    const err = cliError('TraceWriteFailed', { file }, { details: { file }, cause: error });
    ctx.stderr(`${err.text(ctx.lang)}\n`);
    return code === EXIT.ok ? EXIT.failure : code;
  }
  if (!ctx.json) ctx.stderr(`${ctx.t('traceWritten', { file })}\n`);
  return code;
}
