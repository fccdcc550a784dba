/**
 * The companion's wiring of the reference phone page (demo + sandbox only):
 * - the IPC services start the page server on the pairing interface and hand its URL to the
 *   driver only with `phonePage`, in demo mode, with the sandbox authority;
 * - the driver allows exactly the page's origin at the pairing upgrade (never a wildcard) and
 *   puts the page link (payload in the fragment) in its `qr` events.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActivationDriver, phonePageOrigin, type DriverEvent, type DriverPairing } from '../../../src-main/activation/driver';
import { createIpcServices, type IpcServices, type IpcServicesOptions } from '../../../src-main/ipc/handlers';
import { createDemoPort } from '../../../src-main/reader/demo';
import type { PairingEvents, PairingStartOptions } from '../../../src-main/pairing/pairing-types';
import { SandboxAuthority } from '../../../simulators/authority/index';
import type { ReaderPort } from '../../../src-shared/reader-port';

/** Answers like the sandbox but describes itself as a real (remote) service. */
class RemoteLike extends SandboxAuthority {
  override async describe() {
    return { ...(await super.describe()), kind: 'remote' as const, transport: 'http' as const, url: 'https://authority.example' };
  }
}

// A built page of our own: the unit tests run before (and without) `npm run build:phone`.
let pageDir = '';
beforeAll(() => {
  pageDir = mkdtempSync(path.join(tmpdir(), 'phone-page-wiring-'));
  writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(pageDir, 'phone.js'), '');
  writeFileSync(path.join(pageDir, 'phone.css'), '');
});
afterAll(() => rmSync(pageDir, { recursive: true, force: true }));

let port: ReaderPort;
const services: IpcServices[] = [];
beforeEach(async () => {
  port = await createDemoPort();
  await port.start();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
  await port.stop();
});

/** Starts a without-card activation (no card needed) and returns the pairing options the driver got. */
async function pairingGiven(extra: Partial<IpcServicesOptions>) {
  let given: ConstructorParameters<typeof ActivationDriver>[0] | undefined;
  const s = createIpcServices({
    port, demo: true, shell: 'web', pairing: { bindAddress: '127.0.0.1' },
    createDriver: (options) => {
      given = options;
      return new ActivationDriver(options);
    },
    ...extra,
  });
  services.push(s);
  await s.handlers['activation.start']({ flow: 'without-card' });
  return given!.pairing;
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
}

describe('IPC services: the phone page only in demo mode with the sandbox authority', () => {
  it('demo + sandbox + phonePage: the page is served on the pairing interface and given to the driver', async () => {
    const pairing = await pairingGiven({ phonePage: { dir: pageDir }, authority: new SandboxAuthority() });
    expect(pairing?.phonePage?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await get(pairing!.phonePage!.url)).toBe(200);
    // The same server for the next activation.
    const again = await services[0]!.handlers['activation.start']({ flow: 'without-card' });
    expect(again.flow).toBe('without-card');
  });

  it('no page without phonePage, outside demo mode, or with a URL authority', async () => {
    expect((await pairingGiven({ authority: new SandboxAuthority() }))?.phonePage).toBeUndefined();
    expect((await pairingGiven({ phonePage: { dir: pageDir }, demo: false, authority: new SandboxAuthority() }))?.phonePage).toBeUndefined();
    expect((await pairingGiven({ phonePage: { dir: pageDir }, authority: new RemoteLike() }))?.phonePage).toBeUndefined();
  });
});

class CapturingPairing extends EventEmitter<PairingEvents> implements DriverPairing {
  options: PairingStartOptions | undefined;
  start(options?: PairingStartOptions) {
    this.options = options;
    return Promise.resolve({ qrPayload: 'ecps1:payload', expiresAt: Date.now() + 90_000 });
  }
  stop() {
    return Promise.resolve();
  }
  confirmCode() {
    return Promise.resolve({ ok: true as const });
  }
  setPassword(): void {}
  send(): void {}
}

async function qrFrom(phonePage: { url: string } | undefined) {
  const pairing = new CapturingPairing();
  const events: DriverEvent[] = [];
  const driver = new ActivationDriver({
    flow: 'with-card',
    authority: new SandboxAuthority(),
    card: { readAuthenticationCertificate: () => new Promise(() => undefined), authenticate: () => new Promise(() => undefined) },
    pairing: { bindAddress: '127.0.0.1', ...(phonePage ? { phonePage } : {}) },
    createPairing: () => pairing,
  });
  driver.on('event', (e) => events.push(e));
  // Straight to the QR: the effect the machine runs at `show-qr`.
  await (driver as unknown as { startPairing(lifetime: number, generation: number): Promise<unknown> }).startPairing(90_000, 1);
  await driver.stop();
  return { options: pairing.options, qr: events.find((e) => e.type === 'qr') as Extract<DriverEvent, { type: 'qr' }> | undefined };
}

describe('driver: exactly the page origin, and the link in the qr event', () => {
  it('allows the page origin only and links to the page with the payload in the fragment', async () => {
    const { options, qr } = await qrFrom({ url: 'http://192.168.1.20:51234/' });
    expect(options?.allowedOrigins).toEqual(['http://192.168.1.20:51234']);
    expect(qr).toMatchObject({ payload: 'ecps1:payload', phonePageUrl: 'http://192.168.1.20:51234/#ecps1:payload' });
  });

  it('without a page: no origin allowed, no link', async () => {
    const { options, qr } = await qrFrom(undefined);
    expect(options?.allowedOrigins).toBeUndefined();
    expect(qr).toBeDefined();
    expect(qr).not.toHaveProperty('phonePageUrl');
  });

  it('refuses anything that is not one exact http(s) origin', () => {
    expect(phonePageOrigin({ url: 'http://10.0.0.2:8080/some/path?x=1#y' })).toBe('http://10.0.0.2:8080');
    expect(phonePageOrigin({ url: 'https://[fe80::1]:8443/' })).toBe('https://[fe80::1]:8443');
    for (const url of ['*', 'http://*:8080/', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'http://user:pw@10.0.0.2:1/', 'not a url', '']) {
      expect(phonePageOrigin({ url }), url).toBeUndefined();
    }
    expect(phonePageOrigin(undefined)).toBeUndefined();
  });
});
