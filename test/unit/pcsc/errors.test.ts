import { describe, expect, it } from 'vitest';
import { NATIVE_CODE_MAP, fromNativeError, pcscErrors } from '../../../native-bindings/pcsc/errors';
import { EcpsError } from '../../../src-shared/errors';

/** The codes the issue names explicitly; each must map to a specific (non-generic) entry. */
const REQUIRED = [
  'RemovedCard',
  'NoSmartCard',
  'SharingViolation',
  'NoService',
  'CommError',
  'ProtoMismatch',
  'UnsupportedFeature',
  'InsufficientBuffer',
  'ResetCard',
  'UnpoweredCard',
  'UnresponsiveCard',
  'UnsupportedCard',
  'NoReadersAvailable',
  'ReaderUnavailable',
  'Timeout',
  'CardIsBusy',
  'NoCardConnection',
  'InvalidHandle',
  'Cancelled',
  'ClientAlreadyStarted',
];

function nativeError(code: string): Error {
  return Object.assign(new Error('[ Session.TaskTransmit ] Async task error'), { code });
}

describe('pcsc error catalogue', () => {
  it('maps every known pcsc-mini code to a catalogue entry with French and English text', () => {
    for (const [nativeCode, code] of Object.entries(NATIVE_CODE_MAP)) {
      expect(pcscErrors.has(code), `${nativeCode} → ${code}`).toBe(true);
      const err = fromNativeError(nativeError(nativeCode), { reader: 'R' });
      expect(err).toBeInstanceOf(EcpsError);
      expect(err.code).toBe(code);
      expect(err.text('fr').length, nativeCode).toBeGreaterThan(10);
      expect(err.text('en').length, nativeCode).toBeGreaterThan(10);
      expect(err.text('fr')).not.toBe(err.text('en'));
      expect(err.details).toMatchObject({ nativeCode, reader: 'R' });
    }
  });

  it('covers the codes named in the issue with specific entries', () => {
    for (const nativeCode of REQUIRED) {
      expect(NATIVE_CODE_MAP[nativeCode], nativeCode).toBeDefined();
      expect(NATIVE_CODE_MAP[nativeCode], nativeCode).not.toBe('PcscError');
    }
  });

  it('every catalogue entry has fr + en, and remedies have both languages', () => {
    for (const code of pcscErrors.codes) {
      const def = pcscErrors.definitions[code];
      expect(def.message.fr.trim(), code).not.toBe('');
      expect(def.message.en.trim(), code).not.toBe('');
      if ('remedy' in def && def.remedy) {
        expect(def.remedy.fr.trim(), code).not.toBe('');
        expect(def.remedy.en.trim(), code).not.toBe('');
      }
    }
  });

  it('keeps the native code of unknown errors in a generic error', () => {
    const err = fromNativeError(nativeError('SomethingNew'), { operation: 'transmit' });
    expect(err.code).toBe('PcscError');
    expect(err.details).toMatchObject({ nativeCode: 'SomethingNew', operation: 'transmit' });
    expect(err.cause).toBeInstanceOf(Error);
    const plain = fromNativeError(new TypeError('boom'));
    expect(plain.code).toBe('PcscError');
    expect(plain.details.nativeMessage).toBe('boom');
  });

  it('passes EcpsErrors through unchanged', () => {
    const mine = pcscErrors.create('InvalidApdu');
    expect(fromNativeError(mine)).toBe(mine);
  });

  it('explains a SharingViolation in French with the usual culprits and a remedy', () => {
    const err = fromNativeError(nativeError('SharingViolation'));
    expect(err.message).toMatch(/autre application/);
    expect(err.message).toMatch(/GALSS/);
    expect(err.message).toMatch(/logiciel de pharmacie/);
    expect(err.remedyText('fr')).toMatch(/Fermez/);
    expect(err.remedyText('en')).toMatch(/Close/);
  });
});
