/**
 * Errors of the sandbox PKI. They reach users through `ecps simulate --holder …`, so they
 * are values with a code and French/English text (src-shared/errors.ts), not bare strings.
 */
import { defineErrorCatalog } from '../../src-shared/errors';

export const pkiErrors = defineErrorCatalog({
  InvalidHolder: {
    message: {
      fr: 'Le porteur de la carte virtuelle est incomplet ou invalide.',
      en: 'The virtual card holder is incomplete or invalid.',
    },
    remedy: {
      fr: 'Une CPS demande un RPPS (11 chiffres, clé de Luhn) ou un ADELI (9 chiffres) ; une CPE demande un FINESS et un identifiant interne.',
      en: 'A CPS needs an RPPS (11 digits, Luhn key) or an ADELI (9 digits); a CPE needs a FINESS and an internal id.',
    },
  },
  InvalidValidity: {
    message: {
      fr: 'La période de validité du certificat est invalide (fin avant le début).',
      en: 'The certificate validity period is invalid (it ends before it starts).',
    },
  },
  SandboxFixturesMissing: {
    message: {
      fr: 'Les clés de la PKI de test sont absentes.',
      en: 'The sandbox PKI keys are missing.',
    },
    remedy: {
      fr: 'Lancez : node bin/run-ts.mjs simulators/pki/generate-fixtures.ts',
      en: 'Run: node bin/run-ts.mjs simulators/pki/generate-fixtures.ts',
    },
  },
});
