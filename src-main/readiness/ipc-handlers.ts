/**
 * The handlers of the real-activation channels (`readiness.*`, `portal.*`, `attempt.*`),
 * mounted by src-main/ipc/handlers.ts beside the others (same validated dispatcher).
 *
 * - `readiness.run` runs one check at a time; a request arriving during a run is served by ONE
 *   run started after it (the interface re-runs on every reader event: none is missed, none
 *   piles up).
 * - `portal.open` opens the SETTING's address (never one from the renderer), only if it is an
 *   https esante.gouv.fr address, with the injected opener (Electron: shell.openExternal).
 * - The attempt record gets the masked card and the failed checks of the latest run.
 */
import type { ResponseOf, ValidRequestOf } from '../../src-shared/ipc-contract';
import type { ReaderPort } from '../../src-shared/reader-port';
import { resolveStateDir } from '../reader/state-dir';
import type { PlatformProbe } from '../diagnostics/platform';
import { AttemptLog } from './attempts';
import { registerOpenscInNss, type FixResult } from './nss-fix';
import { ANS_SUPPORT_PHONE, APP_STORE_URL, DEFAULT_PORTAL_URL, ECPS_SUPPORT_PHONE, EPOP_DELAY_HOURS, GOOGLE_PLAY_URL, isOfficialEsanteUrl, PORTAL_QR_LIFETIME_S } from './official-links';
import { PortalSetting } from './portal-setting';
import { runReadiness, type ReadinessRun } from './run';
import type { BrowserProbe } from './types';
import { readinessError } from './errors';

export interface RealActivationOptions {
  /** Browser-stack probe (default: this platform's); `false`: not checked. */
  browser?: BrowserProbe | false;
  platform?: PlatformProbe;
  portal?: PortalSetting;
  /** Where attempts are recorded; `null`: not recorded. Default: the per-user state folder (not in demo, unless ECPS_STATE_DIR says where). */
  attempts?: AttemptLog | null;
  /** Electron's shell.openExternal; absent in the web shell (its page opens the link). */
  openExternal?: (url: string) => Promise<void>;
  /** The NSS fix (default: registerOpenscInNss with this machine's HOME). */
  registerOpensc?: (database: string) => Promise<FixResult>;
}

type Channel = 'readiness.run' | 'readiness.fix' | 'portal.info' | 'portal.setUrl' | 'portal.open' | 'attempt.start' | 'attempt.update' | 'attempt.finish';
export type RealActivationHandlers = { [C in Channel]: (request: ValidRequestOf<C>) => Promise<ResponseOf<C>> };

function defaultAttempts(demo: boolean): AttemptLog | null {
  const state = resolveStateDir(undefined);
  // Demo readers with the default folder: nothing is written to the user's folder (as `ecps diagnose --demo`).
  if (demo && state.source === 'default') return null;
  return new AttemptLog({ directory: state.directory });
}

export function createRealActivationHandlers(base: { port: ReaderPort; demo: boolean; onInternalError?: (where: string, error: unknown) => void }, options: RealActivationOptions = {}): RealActivationHandlers & { lastRun(): ReadinessRun | undefined } {
  const portal = options.portal ?? new PortalSetting();
  const attempts = options.attempts === undefined ? defaultAttempts(base.demo) : options.attempts;
  const report = base.onInternalError ?? (() => undefined);
  let last: ReadinessRun | undefined;
  let current: string | undefined;
  let running: Promise<ReadinessRun> | undefined;
  let queued: Promise<ReadinessRun> | undefined;

  const runOnce = (reader: string | undefined): Promise<ReadinessRun> =>
    runReadiness({
      port: base.port,
      demo: base.demo,
      ...(options.browser !== undefined ? { browser: options.browser } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
      ...(reader !== undefined ? { reader } : {}),
    }).then((run) => {
      last = run;
      if (current && attempts) {
        try {
          attempts.update(current, { readiness: run });
        } catch (error) {
          report('attempt.update (readiness)', error);
        }
      }
      return run;
    });

  function request(reader: string | undefined): Promise<ReadinessRun> {
    if (!running) {
      running = runOnce(reader).finally(() => (running = undefined));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return request(reader);
      });
    return queued;
  }

  function info(): ResponseOf<'portal.info'> {
    return {
      portalUrl: portal.url,
      defaultPortalUrl: DEFAULT_PORTAL_URL,
      isDefault: portal.isDefault,
      appStoreUrl: APP_STORE_URL,
      googlePlayUrl: GOOGLE_PLAY_URL,
      supportPhone: ANS_SUPPORT_PHONE,
      ecpsSupportPhone: ECPS_SUPPORT_PHONE,
      qrLifetimeSeconds: PORTAL_QR_LIFETIME_S,
      epopDelayHours: EPOP_DELAY_HOURS,
      opensExternally: options.openExternal !== undefined,
    };
  }

  /** Attempt writes never stop the guide: a folder that cannot be written is reported, not thrown. */
  function record(where: string, fn: () => void): { recorded: boolean } {
    if (!attempts) return { recorded: false };
    try {
      fn();
      return { recorded: true };
    } catch (error) {
      report(where, error);
      return { recorded: false };
    }
  }

  return {
    lastRun: () => last,
    async 'readiness.run'({ reader }) {
      const run = await request(reader);
      return {
        status: run.status,
        demo: run.demo,
        platform: run.platform,
        checkedAt: run.startedAt,
        durationMs: run.durationMs,
        checks: run.checks.map((c) => ({
          id: c.id,
          ...(c.subject !== undefined ? { subject: c.subject } : {}),
          group: c.group,
          status: c.status,
          title: c.title,
          explanation: c.explanation,
          ...(c.remedy ? { remedy: c.remedy } : {}),
          ...(c.action ? { action: { ...c.action } } : {}),
        })),
        ...(run.card ? { card: run.card } : {}),
      };
    },
    async 'readiness.fix'({ database }) {
      const fix = options.registerOpensc ?? ((db: string) => registerOpenscInNss(db));
      return fix(database);
    },
    async 'portal.info'() {
      return info();
    },
    async 'portal.setUrl'({ url }) {
      portal.set(url);
      return info();
    },
    async 'portal.open'() {
      const url = portal.url;
      if (!options.openExternal) return { opened: false, url };
      if (!isOfficialEsanteUrl(url)) throw readinessError('PortalUrlRefused', { value: url });
      await options.openExternal(url);
      if (current) record('attempt.update (portal)', () => attempts!.update(current!, { event: 'portal-opened' }));
      return { opened: true, url };
    },
    async 'attempt.start'({ flow }) {
      if (!attempts) {
        current = undefined;
        return { attemptId: 'not-recorded' };
      }
      try {
        const attempt = attempts.start(flow, { platform: process.platform, demo: base.demo, ...(last ? { readiness: last } : {}) });
        current = attempt.id;
        return { attemptId: attempt.id };
      } catch (error) {
        report('attempt.start', error);
        current = undefined;
        return { attemptId: 'not-recorded' };
      }
    },
    async 'attempt.update'({ attemptId, step, event, during }) {
      if (attemptId !== current) return { recorded: false };
      return record('attempt.update', () => attempts!.update(attemptId, { ...(step ? { step } : {}), ...(event ? { event } : {}), ...(during ? { during } : {}) }));
    },
    async 'attempt.finish'({ attemptId, outcome, problem }) {
      if (attemptId !== current) return { recorded: false };
      const result = record('attempt.finish', () => attempts!.finish(attemptId, outcome, problem));
      current = undefined;
      return result;
    },
  };
}
