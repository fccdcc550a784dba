/**
 * The standalone sandbox server and the HTTP client: every operation round-trips (the shared
 * contract), the server's HTTP rules hold, and the client maps transport failures to errors
 * that tell the user what to do.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorityHttpClient } from '../../src-main/activation/authority-http-client';
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';
import type { OutboxMessage } from '../../simulators/authority/state';
import { codeOf, describeAuthorityContract, PHARMACIST } from '../unit/authority/authority-contract';

async function outboxOf(url: string): Promise<OutboxMessage[]> {
  const res = await fetch(`${url}/outbox`);
  return ((await res.json()) as { messages: OutboxMessage[] }).messages;
}

describeAuthorityContract('HTTP client ↔ standalone sandbox server', async () => {
  const server = await startAuthorityServer({ dataDir: mkdtempSync(path.join(tmpdir(), 'ecps-authority-http-')) });
  return { authority: new AuthorityHttpClient({ baseUrl: server.url }), outbox: () => outboxOf(server.url), close: () => server.close() };
});

describe('the standalone sandbox server', () => {
  let server: AuthorityServer;
  beforeAll(async () => {
    server = await startAuthorityServer();
  });
  afterAll(() => server.close());

  const post = (route: string, body: string, type = 'application/json') =>
    fetch(server.url + route, { method: 'POST', headers: { 'content-type': type }, body });

  it('listens on the loopback only, on a random port, and says so with its relay', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const d = await new AuthorityHttpClient({ baseUrl: server.url }).describe();
    expect(d).toMatchObject({ kind: 'sandbox', transport: 'http', url: server.url, relayUrl: `${server.url.replace('http', 'ws')}/relay/` });
  });

  it('answers bad requests with the right status and { error: { code, message } }', async () => {
    const cases: [Promise<Response>, number, string][] = [
      [post('/v1/professionals/lookup', '{"idNat":'), 400, 'InvalidRequest'],
      [post('/v1/professionals/lookup', JSON.stringify({ idNat: PHARMACIST, extra: 1 })), 400, 'InvalidRequest'],
      [post('/v1/professionals/lookup', JSON.stringify({ idNat: PHARMACIST }), 'text/plain'), 415, 'UnsupportedMediaType'],
      [post('/v1/professionals/lookup', JSON.stringify({ idNat: 'x'.repeat(70_000) })), 413, 'PayloadTooLarge'],
      [fetch(`${server.url}/v1/professionals/lookup`), 405, 'MethodNotAllowed'],
      [fetch(`${server.url}/v1/nothing`), 404, 'RouteNotFound'],
      [post('/v1/professionals/lookup', JSON.stringify({ idNat: '12345678901' })), 422, 'NationalIdInvalid'],
      [post('/v1/activations/get', JSON.stringify({ activationId: 'A'.repeat(22) })), 404, 'ActivationUnknown'],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect(res.status, code).toBe(status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('shows its outbox to tests and trainees', async () => {
    const client = new AuthorityHttpClient({ baseUrl: server.url });
    const request = await client.requestWithoutCard({ idNat: PHARMACIST, qrPayload: 'ECPS1:x' });
    const mail = (await outboxOf(server.url)).find((m) => m.activationId === request.activationId);
    expect(mail).toMatchObject({ channel: 'email', to: 'marie.dupont@exemple.test', qrPayload: 'ECPS1:x' });
  });

  it('keeps activations across a restart of the server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ecps-authority-restart-'));
    const first = await startAuthorityServer({ dataDir });
    const request = await new AuthorityHttpClient({ baseUrl: first.url }).requestWithoutCard({ idNat: PHARMACIST });
    await first.close();
    const second = await startAuthorityServer({ dataDir });
    try {
      expect((await new AuthorityHttpClient({ baseUrl: second.url }).getActivation(request.activationId)).status).toBe('request-sent');
    } finally {
      await second.close();
    }
  });
});

describe('the HTTP client when things go wrong', () => {
  const refusal = async (promise: Promise<unknown>): Promise<EcpsError> => {
    const error = await promise.catch((e: unknown) => e);
    if (!isEcpsError(error)) throw new Error(`expected an EcpsError, got ${String(error)}`);
    return error;
  };
  /** A server that answers whatever `reply` says (or never, when it does nothing). */
  const fakeServer = async (reply: (res: ServerResponse) => void): Promise<{ url: string; server: Server }> => {
    const server = createServer((_req, res) => reply(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  };
  const stop = (server: Server) => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

  it('says the authority is unreachable when nothing listens, with a remedy', async () => {
    const { url, server } = await fakeServer(() => undefined);
    await stop(server); // the port is now closed
    const error = await refusal(new AuthorityHttpClient({ baseUrl: url }).lookupProfessional(PHARMACIST));
    expect(error.code).toBe('AuthorityUnreachable');
    expect(error.details).toMatchObject({ url, reason: 'ECONNREFUSED' });
    expect(error.remedyText('fr')).toMatch(/connexion/);
  });

  it('times out on an authority that never answers', async () => {
    const { url, server } = await fakeServer(() => undefined);
    try {
      const started = Date.now();
      const error = await refusal(new AuthorityHttpClient({ baseUrl: url, timeoutMs: 300 }).serverTime());
      expect(error.code).toBe('AuthorityTimeout');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await stop(server);
    }
  });

  it('recognises an answer that is not the API (captive portal) and an unknown refusal', async () => {
    const portal = await fakeServer((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Wi-Fi login</html>'));
    const strange = await fakeServer((res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{"code":"AccountFrozen","message":"gelé"}}'));
    try {
      expect((await refusal(new AuthorityHttpClient({ baseUrl: portal.url }).describe())).code).toBe('AuthorityProtocolError');
      const refused = await refusal(new AuthorityHttpClient({ baseUrl: strange.url }).describe());
      expect(refused.code).toBe('AuthorityRefused');
      expect(refused.details).toMatchObject({ serverCode: 'AccountFrozen', httpStatus: 403 });
    } finally {
      await stop(portal.server);
      await stop(strange.server);
    }
  });

  it('rebuilds the server refusal as the same typed error, and puts nothing but the route in URLs', async () => {
    const urls: string[] = [];
    const server = await startAuthorityServer();
    const spy: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    try {
      const client = new AuthorityHttpClient({ baseUrl: server.url, fetch: spy });
      const request = await client.requestWithoutCard({ idNat: PHARMACIST });
      await client.sendSmsCode(request.activationId);
      const error = await refusal(client.verifySmsCode(request.activationId, '99999x'));
      expect(error.code).toBe('SmsCodeIncorrect');
      expect(error.details).toMatchObject({ attemptsLeft: 2, httpStatus: 422 });
      expect(await codeOf(client.lookupProfessional('123'))).toBe('NationalIdInvalid');
      for (const u of urls) {
        expect(u).not.toContain(request.activationId);
        expect(u).not.toContain(PHARMACIST);
        expect(new URL(u).search).toBe('');
      }
    } finally {
      await server.close();
    }
  });
});
