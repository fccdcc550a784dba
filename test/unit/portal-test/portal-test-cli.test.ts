/**
 * `ecps portal-test` in-process: what it refuses before doing anything, what it prints for a
 * technician (URL, trust file, the curl command — with no PIN in it), its catalogue parity,
 * and `--once` ending with the login's verdict. The OpenSC client against a card behind
 * pcscd is in test/integration/portal-login.test.ts.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCardCredentials, TEST_HOLDERS } from '../../../simulators/pki/index';
import { portalMessageCatalogues, type PortalMessageKey } from '../../../src-main/cli/portal-test-messages';
import { curlArgs, pkcs11Uri, technicianCommand, writeOpensslConfig } from '../../../src-main/portal-test/pkcs11-client';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { jsonLines, runMain } from '../../support/cli';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('ecps portal-test: command line', () => {
  it('never takes a PIN from the command line, and checks --port and --client --demo before anything', async () => {
    expect((await runMain(['portal-test', '--client', '--pin', '1234'])).code).toBe(EXIT.usage);
    expect((await runMain(['portal-test', '1234'])).code).toBe(EXIT.usage);
    const badPort = await runMain(['portal-test', '--port', '70000']);
    expect(badPort.code).toBe(EXIT.usage);
    expect(badPort.stderr).toContain('70000');
    const demo = await runMain(['portal-test', '--client', '--demo', '--lang', 'en']);
    expect(demo.code).toBe(EXIT.usage);
    expect(demo.stderr).toContain('ecps simulate cps3');
  });

  it('refuses an unreadable --trust file (exit 2)', async () => {
    const r = await runMain(['portal-test', '--trust', '/nonexistent/roots.pem']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('/nonexistent/roots.pem');
  });

  it('--json --once: announces the server and the client command, then ends with the login verdict', async () => {
    const card = await issueCardCredentials(TEST_HOLDERS.pharmacist);
    let logged = false;
    const run = runMain(['portal-test', '--once', '--json'], {
      until: (out) => {
        if (logged || !out.includes('"listening"')) return false;
        logged = true;
        const listening = jsonLines(out)[0]!;
        const ca = readFileSync(listening.caFile as string, 'utf8');
        const req = request(String(listening.url), {
          ca,
          key: card.authentication.privateKey.export({ format: 'pem', type: 'pkcs8' }),
          cert: new X509Certificate(card.authentication.certificateDer).toString(),
          agent: false,
        });
        req.on('response', (res) => res.resume());
        req.on('error', () => undefined);
        req.end();
        return false;
      },
      abortAfterMs: 20_000,
    });
    const r = await run;
    expect(r.code).toBe(EXIT.ok);
    const [listening, login] = jsonLines(r.stdout);
    expect(listening).toMatchObject({ event: 'listening', tls: { version: 'TLSv1.2' } });
    // scripts/setup.sh installs curl, OpenSC and the PKCS#11 engine: the command is there, without any PIN.
    expect((listening!.client as { command: string }).command).toMatch(/^OPENSSL_CONF=.* curl /);
    expect((listening!.client as { command: string }).command).not.toMatch(/pass|pin-value|1234/);
    expect(login).toMatchObject({ event: 'login', accepted: true, holder: { surname: 'DUPONT', rpps: '99700000013', profession: 'Pharmacien' } });
  });

  it('human output names the URL, the TEST label, the trust file and how to try it', async () => {
    const r = await runMain(['portal-test'], { until: (out) => out.includes('Ctrl-C'), abortAfterMs: 20_000 });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/Adresse : https:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toContain('TEST, ce n’est pas le portail e-CPS officiel');
    expect(r.stdout).toMatch(/ac-racine-TEST\.pem/);
    expect(r.stdout).toContain('Firefox ou Chromium');
    expect(r.stdout).toContain('Serveur arrêté.');
  });
});

describe('the PKCS#11 client plan', () => {
  const plan = { url: 'https://127.0.0.1:4443/', caFile: '/tmp/x/ca.pem', opensslConfig: '/tmp/x/openssl.cnf', keyId: 'e828bd080f8025000001ff001002' };

  it('names the key and certificate by their PKCS#15 iD in a PKCS#11 URI (RFC 7512)', () => {
    expect(pkcs11Uri('e828', 'cert')).toBe('pkcs11:id=%e8%28;type=cert');
    const args = curlArgs(plan);
    expect(args).toContain('pkcs11:id=%e8%28%bd%08%0f%80%25%00%00%01%ff%00%10%02;type=private');
    expect(args).toContain('--tlsv1.2');
    expect(args.join(' ')).not.toMatch(/pass|pin/i);
  });

  it('prints one pasteable line, quoted for the shell, with the OpenSSL configuration', () => {
    const line = technicianCommand(plan);
    expect(line.startsWith('OPENSSL_CONF=/tmp/x/openssl.cnf curl ')).toBe(true);
    expect(line).toContain("--key 'pkcs11:id=%e8");
    expect(line).not.toMatch(/pass|pin-value/);
  });

  it('writes an OpenSSL configuration loading the engine with the module asked for', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecps-cnf-'));
    try {
      const file = path.join(dir, 'openssl.cnf');
      writeOpensslConfig(file, '/usr/lib/engines-3/pkcs11.so', '/usr/lib/opensc-pkcs11.so');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('openssl_conf = openssl_init');
      expect(text).toContain('dynamic_path = /usr/lib/engines-3/pkcs11.so');
      expect(text).toContain('MODULE_PATH = /usr/lib/opensc-pkcs11.so');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('portal-test messages', () => {
  it('fr and en have the same keys and placeholders, none empty', () => {
    const { fr, en } = portalMessageCatalogues;
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const key of Object.keys(fr) as PortalMessageKey[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(fr[key]));
      expect(fr[key].trim()).not.toBe('');
    }
  });
});
