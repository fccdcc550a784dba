/**
 * Standalone sandbox authority, until `ecps authority` wraps it:
 *   node bin/run-ts.mjs simulators/authority/main.ts [--port N] [--host H] [--data DIR]
 * Prints one JSON line `{ "event": "listening", "url", "relayUrl" }`, then serves until
 * SIGINT/SIGTERM. Without --data, activations live in memory only (said on stderr).
 */
import { parseArgs } from 'node:util';
import { startAuthorityServer } from './http-server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, data: { type: 'string' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('--port : un entier de 0 à 65535 / an integer 0–65535');
  process.exit(2);
}
const server = await startAuthorityServer({ port, host: values.host, ...(values.data ? { dataDir: values.data } : {}) });
if (!values.data) console.error('Autorité de test sans --data : les activations sont en mémoire seulement. / No --data: activations kept in memory only.');
const { relayUrl } = await server.authority.describe();
console.log(JSON.stringify({ event: 'listening', url: server.url, relayUrl }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
