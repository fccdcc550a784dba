/**
 * `ecps portal-test [--port N] [--trust FILE]… [--once] [--client …]`: the local HTTPS server
 * that asks for the card's certificate as the e-CPS portal does (src-main/portal-test), and
 * what a technician needs to try it — the URL, the browser steps, the exact curl command
 * through the card's PKCS#11 module — or, with `--client`, that client run right here.
 *
 * Exit codes: 0 (stopped, or the login with --once / --client was accepted), 12 (login
 * refused or failed), 9 / 10 (PIN refused / not sent), 1 (client tools missing, port taken).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPortalTestServer, type PortalLogin, type PortalTestServer } from '../../portal-test/portal-server';
import {
  commandExists,
  CPS_AUTHENTICATION_KEY_ID,
  findOpenscModule,
  findPkcs11Engine,
  technicianCommand,
  writeOpensslConfig,
} from '../../portal-test/pkcs11-client';
import { cliError } from '../cli-errors';
import { usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { plural } from '../format';
import { pt, type PortalMessageKey } from '../portal-test-messages';
import { readTrustFiles } from '../trust-files';
import { runPortalClient } from './portal-test-client';
import { reportLogin, type ClientSetup } from './portal-test-report';

export interface PortalTestOptions {
  args: string[];
  port?: string;
  trust: string[];
  once: boolean;
  client: boolean;
  module?: string;
  reader?: string;
  pinStdin: boolean;
  confirmLastTry: boolean;
  codeOnArgv: boolean;
}

export async function runPortalTest(ctx: CliContext, options: PortalTestOptions): Promise<number> {
  if (options.codeOnArgv || options.args.length > 0) throw usageError('pinOnArgv');
  const port = options.port === undefined ? 0 : /^\d{1,5}$/.test(options.port) && Number(options.port) <= 65535 ? Number(options.port) : NaN;
  if (Number.isNaN(port)) throw usageError('authorityBadPort', { value: String(options.port) });
  if (options.client && ctx.demo) throw usageError('portalClientDemo');
  const trust = readTrustFiles(options.trust);

  let server: PortalTestServer;
  try {
    server = await startPortalTestServer({ port, trust, lang: ctx.lang });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES') {
      throw cliError('PortalPortUnavailable', { port }, { details: { port }, cause: error });
    }
    throw error;
  }
  const workDir = mkdtempSync(path.join(tmpdir(), 'ecps-portal-test-'));
  try {
    const caFile = path.join(workDir, 'ac-racine-TEST.pem');
    writeFileSync(caFile, server.caPem, { mode: 0o600 });
    const setup = clientSetup(workDir, caFile, server.url, options.module);
    announce(ctx, server, setup, caFile, options);

    if (options.client) return await runPortalClient(ctx, server, setup, options);

    const printLogin = (login: PortalLogin) => reportLogin(ctx, login);
    const unsubscribe = server.onLogin(printLogin);
    try {
      const first = await waitForLoginOrAbort(ctx, server, options.once);
      if (options.once && first) return first.accepted ? EXIT.ok : EXIT.authenticationInvalid;
      return EXIT.ok;
    } finally {
      unsubscribe();
    }
  } finally {
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
    if (!ctx.json) ctx.line(pt(ctx.lang, 'stopped'));
  }
}

function clientSetup(workDir: string, caFile: string, url: string, moduleOption: string | undefined): ClientSetup {
  const module = moduleOption ?? findOpenscModule();
  const engine = findPkcs11Engine();
  const missing = [
    ...(commandExists('curl') ? [] : ['curl']),
    ...(engine ? [] : ['libengine-pkcs11-openssl (pkcs11.so)']),
    ...(module ? [] : ['opensc-pkcs11.so']),
  ];
  if (missing.length > 0 || !engine || !module) return { missing, ...(module ? { module } : {}) };
  const opensslConfig = path.join(workDir, 'openssl-pkcs11.cnf');
  writeOpensslConfig(opensslConfig, engine, module);
  return { missing, module, plan: { url, caFile, opensslConfig, keyId: CPS_AUTHENTICATION_KEY_ID } };
}

function announce(ctx: CliContext, server: PortalTestServer, setup: ClientSetup, caFile: string, options: PortalTestOptions): void {
  const m = (key: PortalMessageKey, params: Record<string, string | number> = {}) => pt(ctx.lang, key, params);
  if (ctx.json) {
    ctx.emitJson({
      event: 'listening',
      url: server.url,
      port: server.port,
      caFile,
      tls: { version: 'TLSv1.2', clientSignatures: ['rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'] },
      trustFiles: options.trust.length,
      client: setup.plan ? { module: setup.module, opensslConfig: setup.plan.opensslConfig, command: technicianCommand(setup.plan) } : { missing: setup.missing },
    });
    return;
  }
  const n = options.trust.length;
  ctx.line(m('title'));
  ctx.line(`  ${ctx.field(m('url'), server.url)}`);
  ctx.line(`  ${ctx.field(m('serverCertificate'), m('serverCertificateValue', { file: caFile }))}`);
  ctx.line(`  ${ctx.field(m('accepts'), n > 0 ? m('acceptsTrust', { n, s: plural(ctx.lang, n) }) : m('acceptsSandbox'))}`);
  ctx.line(`  ${ctx.field(m('tls'), m('tlsValue'))}`);
  if (options.client) return;
  ctx.line(m('tryTitle'));
  if (setup.plan) {
    ctx.line(m('tryHere'));
    ctx.line(m('tryCurl', { module: setup.module ?? '' }));
    ctx.line(`      ${technicianCommand(setup.plan)}`);
  } else {
    ctx.line(m('noClient', { missing: setup.missing.join(', ') }));
  }
  ctx.line(m('tryBrowser', { url: server.url }));
  ctx.line(m(options.once ? 'waitingOnce' : 'waiting'));
}

/** Until Ctrl-C, or (with `once`) the first login. */
function waitForLoginOrAbort(ctx: CliContext, server: PortalTestServer, once: boolean): Promise<PortalLogin | undefined> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) return resolve(undefined);
    const stop = server.onLogin((login) => {
      if (!once) return;
      stop();
      resolve(login);
    });
    ctx.signal.addEventListener(
      'abort',
      () => {
        stop();
        resolve(undefined);
      },
      { once: true },
    );
  });
}
