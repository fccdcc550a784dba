/**
 * Raw websocket framing (RFC 6455 §5.2) for wire-level abuse no client library would send:
 * unmasked frames, reserved opcodes, RSV bits, bad UTF-8, lying lengths, endless fragments.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** Length written in the header (default: the payload's). */
  declaredLength?: number;
}

export function frame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const { fin = true, rsv = 0, mask = true } = options;
  const length = options.declaredLength ?? body.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length <= 125) head.push(maskBit | length);
  else if (length <= 0xffff) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, body]);
  const key = randomBytes(4);
  const masked = Buffer.from(body);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

export const text = (s: string, o?: FrameOptions) => frame(0x1, s, o);

/** The close code in a server close frame found in `data` (first one), or undefined. */
export function closeCodeIn(data: Buffer): number | undefined {
  // Skip the 101 response head if present.
  const start = data.indexOf('\r\n\r\n');
  let i = start >= 0 ? start + 4 : 0;
  while (i + 2 <= data.length) {
    const opcode = data[i]! & 0x0f;
    let len = data[i + 1]! & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = data.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(data.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 0x8) return len >= 2 ? data.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return undefined;
}

export interface RawWs {
  socket: net.Socket;
  /** Everything received so far (the 101 head included). */
  received(): Buffer;
  /** Resolves once the server sent a close frame or closed the connection (or after `ms`), with all bytes received. */
  ended(ms?: number): Promise<Buffer>;
}

/** A TCP socket upgraded by hand: resolves after the 101, rejects with the status otherwise. */
export function rawUpgrade(port: number, requestHead: string): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let open = false;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(requestHead));
    const ended = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.on('data', (c) => {
      chunks.push(c);
      if (open) return;
      const all = Buffer.concat(chunks);
      if (all.indexOf('\r\n\r\n') < 0) return;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(all.toString('latin1'))?.[1];
      if (status !== '101') {
        socket.destroy();
        reject(new Error(`HTTP ${status ?? '?'}`));
        return;
      }
      open = true;
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        async ended(ms = 3_000) {
          const deadline = Date.now() + ms;
          let closed = false;
          void ended.then(() => (closed = true));
          while (!closed && Date.now() < deadline && closeCodeIn(Buffer.concat(chunks)) === undefined) await new Promise((r) => setTimeout(r, 5));
          socket.destroy();
          return Buffer.concat(chunks);
        },
      });
    });
    socket.on('close', () => {
      if (!open) reject(new Error('closed before the upgrade'));
    });
  });
}
