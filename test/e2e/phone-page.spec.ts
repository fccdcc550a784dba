/**
 * The reference phone page (simulators/phone/web, served by page-server.ts) in Chromium,
 * completing a real activation against the companion running in this test process: the IPC
 * services in demo mode (virtual CPS3, in-process sandbox authority) with `phonePage`, so the
 * pairing allows exactly the page server's origin and the `qr` event carries the page link.
 * The page reads the payload from its fragment, shows the code, the desktop side types it,
 * chooses the password, the page proves it, and the authority records the activation.
 * Also: the same page served from another origin is refused at the websocket upgrade (403).
 *
 * The global setup's web shell is not used here.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { ActivationDriver } from '../../src-main/activation/driver';
import { createIpcServices, type IpcServices } from '../../src-main/ipc/handlers';
import { openReaderPort } from '../../src-main/reader/open-port';
import { PairingSession } from '../../src-main/pairing/pairing-session';
import { SandboxAuthority } from '../../simulators/authority/index';
import { startPhonePageServer, type PhonePageServer } from '../../simulators/phone/page-server';
import type { EventOf } from '../../src-shared/ipc-contract';
import { decodeQrPayload } from '../../src-shared/pairing-protocol';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_PIN = '1234';
const PASSWORD = '4827';
type ActivationEvent = EventOf<'activation.event'>['event'];

test.beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/phone/index.html'))) throw new Error('dist/phone/ is missing: run `npm run build:phone` (npm run test:e2e does).');
});

/** The HTTP status of a websocket upgrade to `wsUrl` sent with this Origin (what a browser sends). */
function upgradeStatus(wsUrl: string, origin: string): Promise<number> {
  const url = new URL(wsUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname,
      headers: { host: url.host, origin, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The companion in this process, and the activation events it emits. */
async function companion() {
  const opened = await openReaderPort({ mode: 'demo' });
  const authority = new SandboxAuthority();
  let phonePage: { url: string } | undefined;
  const services: IpcServices = createIpcServices({
    createDriver: (options) => {
      phonePage = options.pairing?.phonePage;
      return new ActivationDriver(options);
    },
    port: opened.port,
    demo: true,
    shell: 'web',
    lang: 'fr',
    authority,
    phonePage: true,
    pairing: { bindAddress: '127.0.0.1', passwordIterations: 10_000 },
  });
  const events: ActivationEvent[] = [];
  const unsubscribe = services.events.subscribe((channel, payload) => {
    if (channel === 'activation.event') events.push((payload as EventOf<'activation.event'>).event);
  });
  const waitFor = async <T extends ActivationEvent['type']>(type: T, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find((e) => e.type === type);
      if (found) return found as Extract<ActivationEvent, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no '${type}' event; got ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    services,
    authority,
    events,
    waitFor,
    phonePage: () => phonePage,
    async dispose() {
      unsubscribe();
      await services.dispose();
      if (opened.port.kind === 'simulator') await opened.port.stop();
    },
  };
}

async function codeShown(page: Page): Promise<string> {
  const code = page.getByTestId('code');
  await expect(code).toHaveText(/^\d{3} \d{3}$/, { timeout: 15_000 });
  return (await code.textContent())!.replace(/\s+/g, '');
}

test('the phone page completes a with-card activation against the companion (demo, sandbox)', async ({ page, browser }) => {
  const app = await companion();
  let stranger: PhonePageServer | undefined;
  try {
    const h = app.services.handlers;
    await h['activation.start']({ flow: 'with-card' });
    expect(await h['pin.verify']({ pin: DEMO_PIN })).toMatchObject({ ok: true });
    const cgu = await h['cgu.get']({});
    expect(await h['cgu.accept']({ version: cgu.version })).toMatchObject({ accepted: true });

    const qr = await app.waitFor('qr');
    expect(qr.phonePageUrl, 'demo mode with the sandbox authority: the qr event carries the page link').toBeDefined();
    const link = new URL(qr.phonePageUrl!);
    expect(link.hostname).toBe('127.0.0.1');
    expect(link.hash).toBe(`#${qr.payload}`);

    // The same page from another origin (another server, another port): refused at the upgrade,
    // and the QR stays good for the legitimate page.
    stranger = await startPhonePageServer({ bindAddress: '127.0.0.1' });
    const strangerPage = await browser.newPage();
    await strangerPage.goto(stranger.linkFor(qr.payload));
    await expect(strangerPage.getByTestId('failure')).toContainText('Impossible de joindre l’ordinateur', { timeout: 15_000 });
    await strangerPage.close();
    expect(app.events.some((e) => e.type === 'phone-connected')).toBe(false);

    const csp: string[] = [];
    page.on('response', (r) => {
      const header = r.headers()['content-security-policy'];
      if (header) csp.push(header);
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(qr.phonePageUrl!);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Téléphone de référence e-CPS');
    await expect(page.getByRole('note')).toContainText('Démonstration');
    await expect(page.getByRole('heading', { name: 'Saisissez ce code sur l’ordinateur' })).toBeVisible({ timeout: 15_000 });
    const code = await codeShown(page);
    // The token-bearing fragment is dropped from the address bar once read.
    expect(new URL(page.url()).hash).toBe('');
    expect(csp.length).toBeGreaterThan(0);
    expect(csp.every((c) => c.includes("script-src 'self'") && !c.includes('unsafe'))).toBe(true);

    await app.waitFor('phone-connected');
    expect(app.events.find((e) => e.type === 'phone-connected')).toMatchObject({ via: 'direct' });
    await app.waitFor('code-required');
    await h['activation.submitCode']({ code });
    await expect(page.getByText('Code confirmé par l’ordinateur.')).toBeVisible();

    await app.waitFor('password-required');
    await h['activation.choosePassword']({ first: PASSWORD, second: PASSWORD });
    const field = page.getByLabel('Mot de passe e-CPS (4 chiffres)');
    await expect(field).toBeVisible();
    await expect(field).toHaveAttribute('type', 'password');
    await field.fill(PASSWORD);
    await page.getByRole('button', { name: 'Valider' }).click();

    await expect(page.getByTestId('done')).toHaveText('e-CPS activée', { timeout: 20_000 });
    const done = await app.waitFor('done');
    const record = await app.authority.getActivation(done.activationId);
    expect(record).toMatchObject({ status: 'completed', mode: 'with-card' });
    expect(record.phoneKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pageErrors).toEqual([]);

    // English toggle.
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('done')).toHaveText('e-CPS activated');
  } finally {
    await stranger?.close();
    await app.dispose();
  }
});

test('without the card: the page takes the e-mailed QR, the SMS code (a wrong one first), then the password', async ({ page }) => {
  const app = await companion();
  try {
    const h = app.services.handlers;
    await h['activation.start']({ flow: 'without-card' });
    await h['activation.enterNationalId']({ value: '89970000005 4' });
    await expect.poll(() => app.events.some((e) => e.type === 'state' && e.step === 'ready-to-request'), { timeout: 10_000 }).toBe(true);
    await h['activation.confirmRequest']({});
    const sent = await app.waitFor('request-sent');
    const email = app.authority.outbox().find((m) => m.channel === 'email' && m.activationId === sent.activationId);
    expect(email?.qrPayload).toBe(sent.payload);
    const pageUrl = app.phonePage()?.url;
    expect(pageUrl).toBeDefined();

    await page.goto(`${pageUrl}#${email!.qrPayload}`);
    const code = await codeShown(page);
    await app.waitFor('code-required');
    await h['activation.submitCode']({ code });

    const smsField = page.getByLabel('Code SMS');
    await expect(smsField).toBeVisible({ timeout: 15_000 });
    const sms = app.authority.outbox().find((m) => m.channel === 'sms' && m.activationId === sent.activationId);
    expect(sms?.code).toMatch(/^\d+$/);
    await smsField.fill(sms!.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await expect(page.getByRole('alert')).toContainText('Code SMS incorrect : il reste 2 essais.');
    await smsField.fill(sms!.code!);
    await page.getByRole('button', { name: 'Valider le code' }).click();

    await app.waitFor('password-required');
    await h['activation.choosePassword']({ first: PASSWORD, second: PASSWORD });
    const field = page.getByLabel('Mot de passe e-CPS (4 chiffres)');
    await field.fill(PASSWORD);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByTestId('done')).toHaveText('e-CPS activée', { timeout: 20_000 });
    const done = await app.waitFor('done');
    expect(await app.authority.getActivation(done.activationId)).toMatchObject({ status: 'completed', mode: 'without-card', idNat: '899700000054' });
  } finally {
    await app.dispose();
  }
});

test('only the page server’s exact origin passes the pairing upgrade; another origin gets 403', async ({ page }) => {
  const pageServer = await startPhonePageServer({ bindAddress: '127.0.0.1' });
  const other = await startPhonePageServer({ bindAddress: '127.0.0.1' });
  const session = new PairingSession();
  const refused: { code: number; why: string; via: string }[] = [];
  session.on('refused', (r) => refused.push(r));
  try {
    const { qrPayload } = await session.start({ bindAddress: '127.0.0.1', allowedOrigins: [pageServer.origin], passwordIterations: 10_000 });

    await page.goto(other.linkFor(qrPayload));
    await expect(page.getByTestId('failure')).toBeVisible({ timeout: 15_000 });
    expect(refused).toContainEqual(expect.objectContaining({ via: 'upgrade', why: 'origin' }));
    expect(session.phase).toBe('waiting');
    // What Chromium got, seen at the HTTP level: 403 for the other origin (and a variant of the
    // right one), no refusal for the page server's exact origin.
    const direct = decodeQrPayload(qrPayload).direct!;
    expect(await upgradeStatus(direct, other.origin)).toBe(403);
    expect(await upgradeStatus(direct, `${pageServer.origin}/`)).toBe(403);
    expect(await upgradeStatus(direct, pageServer.origin.replace('127.0.0.1', 'localhost'))).toBe(403);
    expect(await upgradeStatus(direct, 'null')).toBe(403);

    const connected = new Promise((resolve) => session.once('phone-connected', resolve));
    await page.goto(pageServer.linkFor(qrPayload));
    const code = await codeShown(page);
    await connected;
    expect(await session.confirmCode(code)).toEqual({ ok: true });
    await expect(page.getByText('Code confirmé par l’ordinateur.')).toBeVisible();
  } finally {
    await session.stop();
    await pageServer.close();
    await other.close();
  }
});
