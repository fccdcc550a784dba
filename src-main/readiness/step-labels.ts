/** Short names of the guide's steps and problems, for the technician's report (French, English). */
import type { LocalizedText } from '../../src-shared/errors';
import type { RealFlow, RealOutcome, RealProblem, RealStep } from './attempts';

export const STEP_LABELS: Record<RealStep, LocalizedText> = {
  'app-installed': { fr: 'application e-CPS installée', en: 'e-CPS app installed' },
  'portal-opened': { fr: 'portail ouvert', en: 'portal opened' },
  'card-tab': { fr: 'onglet « Carte CPS »', en: '"Carte CPS" tab' },
  'card-pin': { fr: 'carte + code porteur', en: 'card + PIN' },
  cgu: { fr: 'CGU acceptées', en: 'terms accepted' },
  'start-activation': { fr: '« Commencer l’activation »', en: '"Commencer l’activation"' },
  'scan-qr': { fr: 'QR code scanné', en: 'QR code scanned' },
  'phone-code': { fr: 'code du téléphone saisi', en: 'phone code typed' },
  'request-email': { fr: 'demande du courriel d’activation', en: 'activation e-mail requested' },
  'national-id': { fr: 'identifiant national', en: 'national id' },
  'email-qr': { fr: 'QR code du courriel scanné', en: 'e-mail QR code scanned' },
  'sms-code': { fr: 'code SMS', en: 'SMS code' },
  'ecps-password': { fr: 'code e-CPS (4 chiffres) choisi', en: 'e-CPS code (4 digits) chosen' },
};

export const PROBLEM_LABELS: Record<RealProblem, LocalizedText> = {
  'portal-no-card': { fr: 'le portail ne trouve pas la carte', en: 'the portal does not find the card' },
  'pin-refused': { fr: 'code porteur refusé', en: 'PIN refused' },
  'qr-expired': { fr: 'QR code expiré', en: 'QR code expired' },
  'phone-code-refused': { fr: 'code du téléphone refusé', en: 'phone code refused' },
  'no-email': { fr: 'courriel non reçu', en: 'e-mail not received' },
  'no-sms': { fr: 'SMS non reçu', en: 'SMS not received' },
  'contact-details-wrong': { fr: 'coordonnées erronées (E-POP)', en: 'wrong contact details (E-POP)' },
  other: { fr: 'autre problème', en: 'other problem' },
};

export const OUTCOME_LABELS: Record<RealOutcome | 'in-progress', LocalizedText> = {
  activated: { fr: 'e-CPS activée (selon l’utilisateur)', en: 'e-CPS activated (as the user says)' },
  abandoned: { fr: 'abandonnée', en: 'abandoned' },
  problem: { fr: 'problème signalé', en: 'problem reported' },
  'in-progress': { fr: 'non terminée', en: 'not finished' },
};

export const FLOW_LABELS: Record<RealFlow, LocalizedText> = {
  'with-card': { fr: 'avec la carte CPS', en: 'with the CPS card' },
  'without-card': { fr: 'sans la carte (e-mail et SMS)', en: 'without the card (e-mail and SMS)' },
};
