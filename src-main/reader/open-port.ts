/**
 * Chooses the ReaderPort the companion and the CLI use: real PC/SC, or the built-in virtual
 * reader (demo). `auto` falls back to the demo only when PC/SC offers nothing to work with
 * (service down, or no reader), and says why, so the UI can label the demo honestly.
 */
import type { EcpsError } from '../../src-shared/errors';
import type { ReaderPort } from '../../src-shared/reader-port';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { readerErrors } from './errors';

const idlePorts: ReaderPort[] = [];

/** The virtual reader, loaded only when used: its cards and PKI are most of what a real-reader run would otherwise parse. */
async function createDemoPort(timeouts: { transmitTimeoutMs?: number }): Promise<ReaderPort> {
  return (await import('./demo')).createDemoPort(timeouts);
}

export type PortMode = 'pcsc' | 'demo' | 'auto';

export interface OpenedPort {
  port: ReaderPort;
  /** True when the readers and cards are virtual. */
  demo: boolean;
  /** Why `auto` fell back to the demo. */
  fallbackReason?: EcpsError;
}

export interface OpenPortOptions {
  mode: PortMode;
  transmitTimeoutMs?: number;
}

export async function openReaderPort(options: OpenPortOptions): Promise<OpenedPort> {
  const timeouts = options.transmitTimeoutMs === undefined ? {} : { transmitTimeoutMs: options.transmitTimeoutMs };
  if (options.mode === 'demo') {
    const port = await createDemoPort(timeouts);
    await port.start();
    return { port, demo: true };
  }
  const port = createPcscReaderPort(timeouts);
  await port.start();
  if (options.mode === 'pcsc') return { port, demo: false };

  const reason = !port.serviceAvailable()
    ? readerErrors.create('ServiceUnavailable')
    : port.readers().length === 0
      ? readerErrors.create('NoReader')
      : undefined;
  if (!reason) return { port, demo: false };
  // Not stopped: pcsc-mini's Client.stop() can block the main thread until the next reader
  // event (native-bindings/pcsc/reader-port.ts), and with no reader there may never be one.
  // The idle port is kept referenced and costs one blocked monitor thread.
  idlePorts.push(port);
  const demo = await createDemoPort(timeouts);
  await demo.start();
  return { port: demo, demo: true, fallbackReason: reason };
}

/** PC/SC port that must be usable now: a clear error when the service is down. */
export async function openPcscOrFail(options: { transmitTimeoutMs?: number; demo: boolean }): Promise<OpenedPort> {
  const opened = await openReaderPort({ mode: options.demo ? 'demo' : 'pcsc', ...(options.transmitTimeoutMs ? { transmitTimeoutMs: options.transmitTimeoutMs } : {}) });
  if (!opened.demo && !opened.port.serviceAvailable()) {
    await opened.port.stop();
    throw readerErrors.create('ServiceUnavailable');
  }
  return opened;
}
