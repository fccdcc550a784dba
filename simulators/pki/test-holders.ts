/**
 * Fictitious card holders for tests, demos and `ecps simulate --holder`. Every identifier is
 * in a test range (RPPS `997…`, ADELI department `99`, FINESS `99…`); no real person.
 */
import { makeTestAdeli, makeTestRpps } from './identifiers';
import type { CardHolder } from './names';

export const TEST_HOLDERS = {
  /** The default CPS of the virtual CPS3/CPS4. */
  pharmacist: {
    kind: 'cps',
    rpps: makeTestRpps(1),
    surname: 'DUPONT',
    givenName: 'Marie',
    profession: 'Pharmacien',
  },
  /** Accents in the title and the name: UTF8String attributes. */
  doctor: {
    kind: 'cps',
    rpps: makeTestRpps(2),
    surname: 'LEFÈVRE',
    givenName: 'Hélène',
    profession: 'Médecin',
  },
  /** A professional still on ADELI (no RPPS): CN `0<ADELI>`. */
  nurse: {
    kind: 'cps',
    adeli: makeTestAdeli(1),
    surname: 'MARTIN',
    givenName: 'Paul',
    profession: 'Infirmier',
  },
  /** A pharmacy employee's card (CPE): CN `3<FINESS>/<id>`. */
  employee: {
    kind: 'cpe',
    finess: '990000017',
    employeeId: '0001',
    organization: 'PHARMACIE DU CENTRE TEST',
    surname: 'BERNARD',
    givenName: 'Julie',
    profession: 'Préparateur en pharmacie',
  },
} as const satisfies Record<string, CardHolder>;

export type TestHolderName = keyof typeof TEST_HOLDERS;
