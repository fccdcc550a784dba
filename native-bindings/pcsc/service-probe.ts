/**
 * Asks pcsc-lite's daemon, without blocking, whether it is answering requests right now.
 *
 * Why: pcsc-mini's `Client.start()` runs SCardEstablishContext, and `Client.stop()` runs
 * SCardCancel + SCardReleaseContext, ON THE CALLING (main) THREAD, and libpcsclite waits for
 * pcscd's reply with no timeout (measured with gdb: the Node main thread in poll(-1) under
 * SCardEstablishContext). pcscd creates its socket BEFORE it serves it: while it starts, its
 * main thread first waits for every reader's first status (RFWaitForReaderInit), and with a
 * card in a reader that means waiting for the card's ATR. A frozen pcscd (SIGSTOP, a driver
 * hung in its main thread) does the same. A blocking call then freezes the whole event loop:
 * the Electron window stops repainting until pcscd answers — and in our test rig, where the
 * virtual card is served by the same thread, pcscd waits for the card and the card waits for
 * the thread: a deadlock (integration tests hung under load).
 *
 * The probe sends the first message every libpcsclite client sends (CMD_VERSION, header
 * `{ size, command }` + `{ major, minor, rv }`, host byte order) on its own connection and
 * waits for the reply asynchronously. A reply means pcscd's service loop is running: its
 * per-client threads answer SCardEstablishContext at once (no reader lock involved), so the
 * native call that follows returns promptly. Protocol facts from pcsc-lite's public
 * winscard_msg.h; version 4:4 measured as pcsc-lite 1.9.9's. A daemon with another version
 * still answers (with its own version and an error code, and one line in its log), so the
 * probe works with any version and then uses the version the daemon announced.
 *
 * Only Linux (and the BSDs) use pcsc-lite's socket; elsewhere the probe says 'not-applicable'.
 */
import fs from 'node:fs';
import net from 'node:net';

/**
 * - answering: pcscd replied (the native call will not block);
 * - refused: the connection was closed or reset without a reply (pcscd exiting, or refusing
 *   this client): the native call fails at once, it does not block;
 * - absent: no socket, or nobody listens on it (the native call fails at once with NoService);
 * - silent: connected, no reply within the time given, or the accept queue is full: a native
 *   call would block;
 * - not-applicable: no pcsc-lite socket on this platform.
 */
export type ServiceProbeResult = 'answering' | 'refused' | 'absent' | 'silent' | 'not-applicable';

const CMD_VERSION = 0x11;
const VERSION_BODY_BYTES = 12;
const HEADER_BYTES = 8;

/** Version the next probe announces: pcsc-lite 1.9's, then whatever the daemon said it speaks. */
const protocol = { major: 4, minor: 4 };

/** Default socket folders of pcsc-lite builds (Debian/Fedora/Arch: /run; older: /var/run). */
const DEFAULT_SOCKETS = ['/run/pcscd/pcscd.comm', '/var/run/pcscd/pcscd.comm'];

/**
 * The socket libpcsclite connects to: PCSCLITE_CSOCK_NAME (read by libpcsclite once per
 * process; Flatpak and our test rig set it), else the first default that exists. Undefined on
 * platforms without pcsc-lite.
 */
export function pcscdSocketPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32' || platform === 'darwin') return undefined;
  const fromEnv = env.PCSCLITE_CSOCK_NAME;
  if (fromEnv) return fromEnv;
  return DEFAULT_SOCKETS.find((p) => fs.existsSync(p)) ?? DEFAULT_SOCKETS[0];
}

export interface ServiceProbeOptions {
  /** Where to connect; default pcscdSocketPath(). */
  socketPath?: string | undefined;
  /** How long a connected but silent daemon is given to reply. */
  timeoutMs: number;
}

export function probePcscService(options: ServiceProbeOptions): Promise<ServiceProbeResult> {
  const socketPath = 'socketPath' in options ? options.socketPath : pcscdSocketPath();
  if (socketPath === undefined) return Promise.resolve('not-applicable');
  return new Promise((resolve) => {
    let connected = false;
    let received = Buffer.alloc(0);
    const socket = net.createConnection(socketPath);
    let done = false;
    const finish = (result: ServiceProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined); // a late EPIPE/ECONNRESET after destroy()
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? 'silent' : 'absent'), options.timeoutMs);
    // Not unref()'d: whoever awaits the probe (port.start() in a CLI) needs the process alive.
    socket.on('connect', () => {
      connected = true;
      const message = Buffer.alloc(HEADER_BYTES + VERSION_BODY_BYTES);
      message.writeUInt32LE(VERSION_BODY_BYTES, 0);
      message.writeUInt32LE(CMD_VERSION, 4);
      message.writeInt32LE(protocol.major, 8);
      message.writeInt32LE(protocol.minor, 12);
      socket.write(message);
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < VERSION_BODY_BYTES) return;
      // The reply is the version body alone (no header): the daemon's major, minor and rv.
      const major = received.readInt32LE(0);
      const minor = received.readInt32LE(4);
      if (major > 0 && major < 100 && minor >= 0 && minor < 100) {
        protocol.major = major;
        protocol.minor = minor;
      }
      finish('answering');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) finish('refused');
      // EAGAIN: the daemon's accept queue is full — it has not been accepting for a while (each
      // probe of a frozen pcscd queues one connection). libpcsclite's blocking connect() would
      // wait right there, so this is silence too (found by the frozen-pcscd integration test).
      else if (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK') finish('silent');
      // ENOENT: no socket file; ECONNREFUSED: a stale file nobody listens on.
      else finish(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'absent' : 'refused');
    });
    socket.on('close', () => finish(connected ? 'refused' : 'absent'));
  });
}

/** Whether a blocking pcsc-mini call (Client.start/stop) may be made now. */
export function nativeCallWillReturn(result: ServiceProbeResult): boolean {
  return result !== 'silent';
}
