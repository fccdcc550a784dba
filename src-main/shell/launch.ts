/**
 * What `npm start` runs (bin/start.mjs): the Electron window where Electron's binary exists,
 * otherwise the web shell — opened in Debian's Chromium in app mode when a display exists,
 * or its URL printed. It always says which one runs, and labels the demo reader.
 *
 *   --no-open   serve the web shell, open nothing, print the URL (with its token) on a line of its own
 *   --demo      the built-in virtual reader, even when a real one is there
 *   --lang en   English (ECPS_LANG too; default: the saved setting, else French)
 *
 * Settings are read from the config folder (ECPS_CONFIG_DIR overrides, src-main/settings), and
 * the startup facts and internal errors go to the rotating log (ECPS_LOG_DIR, src-main/logging).
 *
 * Electron is never imported here: only its binary is looked for (fetched once, bounded, by
 * ./electron-binary.ts) and spawned; when it cannot be had, ONE line says why and the web shell runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEcpsError, type Lang } from '../../src-shared/errors';
import type { OpenedPort } from '../reader/open-port';
import type { IpcServices } from '../ipc/handlers';
import type { IpcDispatcher } from '../ipc/validated';
import { startWebShell } from './web-shell';
import { deferredIpc } from './deferred-ipc';
import { createLogger, logStartup, type AppLogger } from '../logging/logger';
import { defaultSettingsFile } from '../settings/config-dir';
import { SettingsStore } from '../settings/settings-store';
import { obtainElectron, type ElectronUnavailable } from './electron-binary';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LaunchOptions {
  noOpen: boolean;
  demo: boolean;
  lang: Lang;
  /** The language was asked for (--lang or ECPS_LANG): it wins over the saved setting. */
  langExplicit?: boolean;
}

export interface LaunchIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export function parseLaunchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LaunchOptions | { error: string } {
  const options: LaunchOptions = { noOpen: false, demo: false, lang: env.ECPS_LANG === 'en' ? 'en' : 'fr' };
  if (env.ECPS_LANG === 'en' || env.ECPS_LANG === 'fr') options.langExplicit = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-open') options.noOpen = true;
    else if (arg === '--demo') options.demo = true;
    else if (arg === '--lang' && (argv[i + 1] === 'fr' || argv[i + 1] === 'en')) {
      options.lang = argv[++i] as Lang;
      options.langExplicit = true;
    }
    else return { error: `option inconnue / unknown option: ${arg}` };
  }
  return options;
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ECPS_CHROMIUM && existsSync(env.ECPS_CHROMIUM)) return env.ECPS_CHROMIUM;
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function chromiumArgs(url: string, userDataDir: string, isRoot: boolean): string[] {
  return [`--app=${url}`, '--no-first-run', '--no-default-browser-check', `--user-data-dir=${userDataDir}`, ...(isRoot ? ['--no-sandbox'] : [])];
}

/**
 * How the Chromium window ended: `closed` when the user closed it (exit 0, or a signal such as
 * the session ending), `failed` when Chromium could not start or show it — a dead DISPLAY
 * (exits 1 within a second), a missing library, a crash. Closing the window stops the app;
 * a failure must not: the URL is printed instead (found by trying `npm start` with DISPLAY
 * pointing at no X server: the app used to exit at once, silently).
 */
export type BrowserEnd = { closed: true } | { failed: { fr: string; en: string } };

export function watchBrowser(browser: ChildProcess): Promise<BrowserEnd> {
  return new Promise((resolve) => {
    let stderr = '';
    browser.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    browser.on('error', (error) => resolve({ failed: { fr: error.message, en: error.message } }));
    // 'close', not 'exit': 'exit' may come before the last of stderr has been read, and the
    // reason line would be lost (seen as a flaky test under load).
    browser.on('close', (code, signal) => {
      if (code === 0 || (code === null && signal !== null)) {
        resolve({ closed: true });
        return;
      }
      // Chromium's own words ("Missing X server or $DISPLAY"), technical English in both languages.
      const line = stderr.split('\n').map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim()).find((l) => /x server|display|error/i.test(l));
      const said = line ? `: ${line.slice(0, 160)}` : '';
      resolve({ failed: { fr: `code de sortie ${code}${said}`, en: `exit code ${code}${said}` } });
    });
  });
}

const T = {
  electron: { fr: 'Compagnon e-CPS : fenêtre Electron.', en: 'Compagnon e-CPS: Electron window.' },
  web: { fr: 'Compagnon e-CPS : interface web locale (web shell).', en: 'Compagnon e-CPS: local web interface (web shell).' },
  webNoElectron: { fr: 'Compagnon e-CPS : interface web locale (web shell) — Electron indisponible : {reason}.', en: 'Compagnon e-CPS: local web interface (web shell) — Electron unavailable: {reason}.' },
  demoForced: { fr: '*** MODE DÉMONSTRATION : lecteur virtuel (CPS3 + Vitale 2) ***', en: '*** DEMO MODE: virtual reader (CPS3 + Vitale 2) ***' },
  demoFallback: {
    fr: '*** MODE DÉMONSTRATION : aucun lecteur utilisable ({reason}) — lecteur virtuel (CPS3 + Vitale 2) ***',
    en: '*** DEMO MODE: no usable reader ({reason}) — virtual reader (CPS3 + Vitale 2) ***',
  },
  chromium: { fr: 'Ouverture dans Chromium (mode application)…', en: 'Opening in Chromium (app mode)…' },
  openUrl: { fr: 'Ouvrez cette adresse dans Chromium (elle contient la clé secrète de la session, ne la partagez pas) :', en: 'Open this address in Chromium (it holds the session’s secret key, do not share it):' },
  noDisplay: { fr: 'Pas d’écran graphique détecté.', en: 'No graphical display found.' },
  chromiumFailed: {
    fr: 'Chromium n’a pas pu afficher la fenêtre ({reason}) ; le Compagnon continue de tourner.',
    en: 'Chromium could not show the window ({reason}); the companion keeps running.',
  },
  noChromium: { fr: 'Chromium introuvable (apt-get install chromium).', en: 'Chromium not found (apt-get install chromium).' },
  stop: { fr: 'Ctrl-C pour arrêter.', en: 'Ctrl-C to stop.' },
} as const;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The reader port and the IPC handlers, loaded on demand (code splitting): the web shell's URL
 * does not wait for their modules (the handlers reach the card, activation, diagnostics and
 * readiness layers) nor for the port to settle.
 */
async function startServices(
  options: LaunchOptions,
  settings: SettingsStore,
  internalError: (where: string, error: unknown) => void,
): Promise<{ opened: OpenedPort; services: IpcServices; dispatcher: IpcDispatcher }> {
  const [{ openReaderPort }, { createIpcServices }, { createValidatedDispatcher }] = await Promise.all([
    import('../reader/open-port'),
    import('../ipc/handlers'),
    import('../ipc/validated'),
  ]);
  const opened = await openReaderPort({ mode: options.demo ? 'demo' : 'auto' });
  const services = createIpcServices({
    port: opened.port,
    demo: opened.demo,
    shell: 'web',
    ...(options.langExplicit ? { lang: options.lang } : {}),
    settings,
    // Demo (virtual reader) with the sandbox authority: the reference phone page is served too.
    phonePage: opened.demo,
    onInternalError: internalError,
  });
  const dispatcher = createValidatedDispatcher(services.handlers, { onInternalError: internalError });
  return { opened, services, dispatcher };
}

/** Starts the app; resolves with the exit code when it stops. */
export async function launch(
  launchOptions: LaunchOptions,
  io: LaunchIo,
  signal?: AbortSignal,
  logger: AppLogger = createLogger({ env: io.env }),
  /** Tests replace the Electron lookup (which may try a download). */
  deps: { obtainElectron?: typeof obtainElectron } = {},
): Promise<number> {
  const settings = new SettingsStore({
    file: defaultSettingsFile({ env: io.env }),
    onWarning: (warning) => {
      io.err(`${warning.text(launchOptions.lang)} ${warning.remedyText(launchOptions.lang) ?? ''}`.trim());
      logger.warn('settings-file-unusable', { error: warning });
    },
  });
  const options: LaunchOptions = launchOptions.langExplicit ? launchOptions : { ...launchOptions, lang: settings.get().language };
  const internalError = (where: string, error: unknown) => {
    // The demo phone page not built / not served: the app works without it; say what it is.
    if (where === 'phone-page' && isEcpsError(error)) {
      io.err(`${error.text(options.lang)}${error.remedy ? ` — ${error.remedy[options.lang]}` : ''}`);
      logger.warn('phone-page', { code: error.code });
      return;
    }
    io.err(`erreur interne / internal error: ${where}`);
    logger.error('internal-error', error, { where });
  };
  const say = (key: keyof typeof T, params: Record<string, string> = {}) =>
    io.out(Object.entries(params).reduce<string>((text, [k, v]) => text.replace(`{${k}}`, v), T[key][options.lang]));

  // --no-open asks for the web shell; otherwise Electron first, the web shell when it cannot be had.
  const electronOutcome = options.noOpen
    ? undefined
    : await (deps.obtainElectron ?? obtainElectron)({ root: ROOT, env: io.env, say: (text: ElectronUnavailable) => io.out(text[options.lang]) });
  if (electronOutcome && 'ok' in electronOutcome) {
    const electron = electronOutcome.ok;
    say('electron');
    logger.info('launch', { shell: 'electron', version: packageVersion() });
    const child = spawn(electron.binary, [electron.entry, ...(options.demo ? ['--demo'] : [])], { stdio: 'inherit', env: io.env });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }

  if (electronOutcome && 'unavailable' in electronOutcome) say('webNoElectron', { reason: electronOutcome.unavailable[options.lang] });
  else say('web');
  // --demo is known now: labelled before the URL. A fallback to the demo reader (no usable
  // reader) is only known once the port has settled: said then, before "Ctrl-C".
  if (options.demo) say('demoForced');

  // The page is served, and its URL printed (or Chromium started), BEFORE the reader port
  // settles and the handlers load: the browser loads the renderer meanwhile, and its first
  // requests wait for the real services (deferred-ipc.ts), so nothing it shows is a guess.
  let servicesReady: (value: { dispatcher: IpcDispatcher; events: IpcServices['events'] }) => void = () => undefined;
  let servicesFailed: (error: unknown) => void = () => undefined;
  const ready = new Promise<{ dispatcher: IpcDispatcher; events: IpcServices['events'] }>((resolve, reject) => {
    servicesReady = resolve;
    servicesFailed = reject;
  });
  const shell = await startWebShell(deferredIpc(ready));

  let browser: ChildProcess | undefined;
  let profile: string | undefined;
  const chromium = findChromium(io.env);
  if (!options.noOpen && hasDisplay(io.env) && chromium) {
    say('chromium');
    profile = mkdtempSync(path.join(tmpdir(), 'ecps-chromium-'));
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    browser = spawn(chromium, chromiumArgs(shell.url, profile, isRoot), { stdio: ['ignore', 'ignore', 'pipe'], env: io.env });
  } else {
    if (!options.noOpen) say(hasDisplay(io.env) ? 'noChromium' : 'noDisplay');
    say('openUrl');
    io.out(shell.url);
  }

  // Watched from now: a Chromium that fails at once must not go unseen while the port settles.
  const browserEnd = browser ? watchBrowser(browser) : undefined;

  let started: Awaited<ReturnType<typeof startServices>>;
  try {
    started = await startServices(options, settings, internalError);
  } catch (error) {
    servicesFailed(error);
    browser?.kill();
    await shell.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const { opened, services } = started;
  if (opened.demo && opened.fallbackReason) say('demoFallback', { reason: opened.fallbackReason.text(options.lang) });
  logStartup(logger, {
    version: packageVersion(),
    shell: 'web',
    demo: opened.demo,
    authority: settings.get().authority,
    language: options.lang,
    settingsFile: settings.file,
  });
  servicesReady({ dispatcher: started.dispatcher, events: services.events });
  say('stop');

  const code = await new Promise<number>((resolve) => {
    if (signal?.aborted) resolve(0);
    signal?.addEventListener('abort', () => resolve(0), { once: true });
    if (!browserEnd) return;
    void browserEnd.then((end) => {
      if ('closed' in end) {
        resolve(0);
        return;
      }
      logger.warn('browser-failed', { reason: end.failed.en });
      say('chromiumFailed', { reason: end.failed[options.lang] });
      say('openUrl');
      io.out(shell.url);
      say('stop');
    });
  });
  browser?.kill();
  await shell.close();
  await services.dispose();
  if (opened.port.kind === 'simulator') await opened.port.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
  logger.info('stop', { code });
  return code;
}
