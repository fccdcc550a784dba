/**
 * The ReaderPort contract (test/contract/reader-port-contract.ts) against the PC/SC port, over
 * a private pcscd whose vpcd virtual reader carries the same virtual cards as the simulator.
 * The rig starts before pcsc-mini is loaded: libpcsclite reads PCSCLITE_CSOCK_NAME once per
 * process (each integration file runs in its own process).
 */
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { describeReaderPortContract, recordEvents, type SlotIndex } from '../contract/reader-port-contract';
import { startPcscRig } from '../support/pcscd-rig';
import { TestCard } from '../support/test-cards';

const TRANSMIT_TIMEOUT_MS = 400;


describeReaderPortContract('PC/SC port (private pcscd + vpcd)', async () => {
  const rig = await startPcscRig();
  const { createPcscReaderPort } = await import('../../native-bindings/pcsc');
  const slots = ([0, 1] as const).map(
    (slot) => new VpcdSlot(new TestCard(), { port: rig.vpcdPort, slot, stayInserted: false }),
  );
  const port = createPcscReaderPort({ transmitTimeoutMs: TRANSMIT_TIMEOUT_MS, connectTimeoutMs: 1000 });
  const events = recordEvents(port);
  await port.start();
  const slot = (index: SlotIndex) => slots[index]!;
  return {
    port,
    readers: rig.readerNames,
    events,
    transmitTimeoutMs: TRANSMIT_TIMEOUT_MS,
    insert: (index, card) => slot(index).insert(card),
    remove: (index) => slot(index).remove(),
    async dispose() {
      await port.stop();
      for (const s of slots) await s.remove();
      await rig.dispose();
    },
  };
});
