/**
 * `ecps authority [--port N] [--host 127.0.0.1] [--data DIR]`: the standalone sandbox
 * activation authority (HTTP JSON API, outbox, websocket relay — simulators/authority) until
 * Ctrl-C. Prints its URL first (`{ "event": "listening", url, relayUrl, outbox }` with --json).
 * Without --data the activations live in memory only (said on stderr).
 */
import { startAuthorityServer } from '../../../simulators/authority/http-server';
import { usageError, type CliContext } from '../context';
import { EXIT } from '../exit-codes';

export interface AuthorityOptions {
  port?: string;
  host?: string;
  data?: string;
}

export async function runAuthority(ctx: CliContext, options: AuthorityOptions): Promise<number> {
  const port = options.port === undefined ? 0 : /^\d{1,5}$/.test(options.port) ? Number(options.port) : NaN;
  if (!Number.isInteger(port) || port > 65535) throw usageError('authorityBadPort', { value: options.port ?? '' });
  const server = await startAuthorityServer({ port, host: options.host ?? '127.0.0.1', ...(options.data ? { dataDir: options.data } : {}) });
  const { relayUrl, label } = await server.authority.describe();
  if (ctx.json) ctx.emitJson({ event: 'listening', url: server.url, relayUrl, outbox: `${server.url}/outbox`, persistent: options.data !== undefined });
  else {
    ctx.line(ctx.t('authorityListening', { label: label[ctx.lang], url: server.url }));
    ctx.line(ctx.t('authorityRelay', { url: relayUrl ?? '' }));
    ctx.line(ctx.t('authorityOutbox', { url: `${server.url}/outbox` }));
  }
  if (!options.data) ctx.stderr(`${ctx.t('authorityMemoryOnly')}\n`);
  if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  if (ctx.json) ctx.emitJson({ event: 'stopped' });
  return EXIT.ok;
}
