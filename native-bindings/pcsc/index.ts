/**
 * Real PC/SC behind the ReaderPort seam (pcsc-mini). The only code that imports pcsc-mini.
 *
 *   const port = createPcscReaderPort({ logger: console });
 *   await port.start();
 *   const card = await port.connect(port.readers()[0].name, { share: 'shared' });
 *   const response = await card.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00));
 */
import type { ReaderPort } from '../../src-shared/reader-port';
import { resolveOptions, type PcscReaderPortOptions } from './options';
import { PcscReaderPort } from './reader-port';

export function createPcscReaderPort(options: PcscReaderPortOptions = {}): ReaderPort {
  return new PcscReaderPort(resolveOptions(options));
}

export { pcscErrors, NATIVE_CODE_MAP, fromNativeError, type PcscErrorCode } from './errors';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TRANSMIT_TIMEOUT_MS,
  type PcscLogger,
  type PcscReaderPortOptions,
  type PcscRecoveryOptions,
} from './options';
