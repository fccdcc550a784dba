/**
 * The two ReaderPort implementations speak one error vocabulary: every code of the simulator
 * catalogue is a PC/SC port code with the same name, except the three about inserting virtual
 * cards. The behaviour behind the codes is checked by test/contract/reader-port-contract.ts.
 */
import { describe, expect, it } from 'vitest';
import { pcscErrors } from '../../native-bindings/pcsc/errors';
import { SIMULATOR_ONLY_CODES, simulatorErrors } from '../../simulators/cards/simulator-errors';

describe('error codes shared by the two ReaderPorts', () => {
  it('every simulator code but the simulator-only ones is a PC/SC port code', () => {
    const shared = simulatorErrors.codes.filter((code) => !SIMULATOR_ONLY_CODES.includes(code));
    expect(shared.filter((code) => !pcscErrors.has(code))).toEqual([]);
    expect([...SIMULATOR_ONLY_CODES].sort()).toEqual(['FaultSpecInvalid', 'SlotOccupied', 'UnknownCardKind']);
    for (const code of SIMULATOR_ONLY_CODES) expect(pcscErrors.has(code)).toBe(false);
  });

  it('the pcsc-lite style names of the old simulator catalogue are gone', () => {
    for (const old of ['NoSmartCard', 'ProtoMismatch', 'ApduTooShort', 'ResetCard', 'UnknownReader', 'InvalidHandle', 'InvalidResponse']) {
      expect(simulatorErrors.has(old), old).toBe(false);
    }
  });

  it('every simulator error has a French and an English message', () => {
    for (const code of simulatorErrors.codes) {
      const error = simulatorErrors.create(code);
      expect(error.text('fr').length, code).toBeGreaterThan(5);
      expect(error.text('en').length, code).toBeGreaterThan(5);
      expect(error.text('fr'), code).not.toBe(error.text('en'));
    }
  });
});
