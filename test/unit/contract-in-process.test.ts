/** The ReaderPort contract (test/contract/reader-port-contract.ts) against the in-process simulator. */
import { InProcessReader, SIMULATOR_READER_NAMES } from '../../simulators/cards/in-process-reader';
import { describeReaderPortContract, recordEvents } from '../contract/reader-port-contract';

const TRANSMIT_TIMEOUT_MS = 400;

describeReaderPortContract('in-process simulator', async () => {
  const port = new InProcessReader({ transmitTimeoutMs: TRANSMIT_TIMEOUT_MS, connectTimeoutMs: 1000 });
  const events = recordEvents(port);
  await port.start();
  return {
    port,
    readers: SIMULATOR_READER_NAMES,
    events,
    transmitTimeoutMs: TRANSMIT_TIMEOUT_MS,
    insert: async (slot, card) => port.insert(slot, card),
    remove: async (slot) => void port.remove(slot),
    dispose: () => port.stop(),
  };
});
