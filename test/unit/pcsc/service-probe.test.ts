/**
 * The pcscd probe against fake daemons on real Unix sockets: what it reports for each way a
 * socket can look, and that it speaks pcsc-lite's CMD_VERSION as libpcsclite does (the real
 * daemon is covered by test/integration/pcsc-frozen-service.test.ts).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeCallWillReturn, pcscdSocketPath, probePcscService } from '../../../native-bindings/pcsc/service-probe';

let dir: string;
const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

function socketFile(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-probe-'));
  return path.join(dir, `pcscd-${servers.length}.comm`);
}

/** A fake pcscd; `onMessage` gets each complete 20-byte CMD_VERSION request. */
async function fakeDaemon(onMessage: (socket: net.Socket, request: Buffer) => void, onConnect?: (socket: net.Socket) => void) {
  const file = socketFile();
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnect?.(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 20) onMessage(socket, pending.subarray(0, 20));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(file, resolve));
  return file;
}

function versionReply(major: number, minor: number, rv = 0): Buffer {
  const reply = Buffer.alloc(12);
  reply.writeInt32LE(major, 0);
  reply.writeInt32LE(minor, 4);
  reply.writeUInt32LE(rv, 8);
  return reply;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('probePcscService', () => {
  it('reports a daemon that answers CMD_VERSION, sent as libpcsclite sends it', async () => {
    const requests: Buffer[] = [];
    const file = await fakeDaemon((socket, request) => {
      requests.push(Buffer.from(request));
      socket.write(versionReply(4, 4));
    });
    expect(await probePcscService({ socketPath: file, timeoutMs: 2000 })).toBe('answering');
    const request = requests[0]!;
    expect(request.readUInt32LE(0)).toBe(12); // body size
    expect(request.readUInt32LE(4)).toBe(0x11); // CMD_VERSION
    expect([request.readInt32LE(8), request.readInt32LE(12)]).toEqual([4, 4]);
  });

  it('then announces the version the daemon said it speaks (one mismatch at most)', async () => {
    const announced: string[] = [];
    const file = await fakeDaemon((socket, request) => {
      announced.push(`${request.readInt32LE(8)}:${request.readInt32LE(12)}`);
      socket.write(versionReply(4, 5, 0x8010001e)); // a newer daemon: mismatch, its version
    });
    expect(await probePcscService({ socketPath: file, timeoutMs: 2000 })).toBe('answering');
    expect(await probePcscService({ socketPath: file, timeoutMs: 2000 })).toBe('answering');
    expect(announced).toEqual(['4:4', '4:5']);
    // Back to the version of the daemons the rest of the suite runs against.
    const reset = await fakeDaemon((socket) => socket.write(versionReply(4, 4)));
    await probePcscService({ socketPath: reset, timeoutMs: 2000 });
  });

  it('reports a daemon that accepts but never answers as silent, after the time given', async () => {
    const file = await fakeDaemon(() => undefined);
    const started = Date.now();
    expect(await probePcscService({ socketPath: file, timeoutMs: 150 })).toBe('silent');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reports a connection that is never read as silent: what a frozen pcscd looks like', async () => {
    const file = socketFile();
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(file, resolve));
    server.on('connection', (socket) => {
      sockets.push(socket);
      socket.pause(); // never read, never write
    });
    expect(await probePcscService({ socketPath: file, timeoutMs: 150 })).toBe('silent');
  });

  it('reports a daemon that closes the connection without answering as refused (no block)', async () => {
    const file = await fakeDaemon(() => undefined, (socket) => socket.end());
    expect(await probePcscService({ socketPath: file, timeoutMs: 2000 })).toBe('refused');
  });

  it('reports a missing socket and a stale socket file as absent', async () => {
    expect(await probePcscService({ socketPath: path.join(os.tmpdir(), 'ecps-no-such-dir', 'pcscd.comm'), timeoutMs: 2000 })).toBe('absent');
    const file = await fakeDaemon(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    fs.writeFileSync(`${file}.stale`, ''); // a plain file: connect() is refused
    expect(await probePcscService({ socketPath: `${file}.stale`, timeoutMs: 2000 })).toBe('absent');
  });

  it('only a silent daemon forbids the blocking native call', () => {
    expect(nativeCallWillReturn('silent')).toBe(false);
    for (const r of ['answering', 'refused', 'absent', 'not-applicable'] as const) expect(nativeCallWillReturn(r)).toBe(true);
  });
});

describe('pcscdSocketPath', () => {
  it('follows PCSCLITE_CSOCK_NAME as libpcsclite does, and has none on Windows and macOS', () => {
    expect(pcscdSocketPath({ PCSCLITE_CSOCK_NAME: '/tmp/x/pcscd.comm' }, 'linux')).toBe('/tmp/x/pcscd.comm');
    expect(pcscdSocketPath({}, 'linux')).toMatch(/\/run\/pcscd\/pcscd\.comm$/);
    expect(pcscdSocketPath({}, 'win32')).toBeUndefined();
    expect(pcscdSocketPath({}, 'darwin')).toBeUndefined();
  });
});
