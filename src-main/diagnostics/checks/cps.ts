/**
 * The CPS itself: is there one, is its authentication certificate within its dates and does
 * it chain to a trusted authority, how many PIN tries are left (read without spending one:
 * CPS3 GET DATA, CPS4 VERIFY without data — domain.md §3). Facts from esante.gouv.fr: 4-digit
 * PIN, 3 tries; 8-digit PUK ("code de déblocage"), 10 tries; a CPS3 lasts 3 years, a CPS4 6.
 */
import { isCps, type SlotFacts } from '../reader-facts';
import { check, skipped, tx, type CheckResult } from '../types';
import { enCount, frCount } from '../plural';

const PRESENT = tx('Une CPS est insérée', 'A CPS is inserted');
const CERT = tx('Validité du certificat de la CPS', 'CPS certificate validity');
const CHAIN = tx('Chaîne de certification de la CPS', 'CPS certificate chain');
const PIN = tx('Code porteur (PIN)', 'PIN');

/** Days before expiry from which the certificate check warns. */
export const EXPIRY_WARNING_DAYS = 30;

const day = (d: Date) => d.toISOString().slice(0, 10);

export function checkCpsPresent(facts: readonly SlotFacts[], reader: string | undefined): CheckResult {
  const cps = facts.filter(isCps);
  const evidence = { cpsSlots: cps.map((f) => f.reader), readerFilter: reader ?? null };
  if (cps.length > 0) return check('cps.present', 'ok', PRESENT, tx(`CPS trouvée dans ${cps.map((f) => `« ${f.reader} »`).join(', ')}.`, `CPS found in ${cps.map((f) => `"${f.reader}"`).join(', ')}.`), evidence);
  return check('cps.present', 'warn', PRESENT, tx('Aucune CPS n’a été trouvée : les vérifications de la carte (certificat, code porteur) n’ont pas été faites.', 'No CPS was found: the card checks (certificate, PIN) were not run.'), evidence, {
    remedy: tx('Insérez la carte CPS dans la fente CPS du lecteur et relancez le diagnostic.', 'Insert the CPS card in the reader’s CPS slot and run the diagnostics again.'),
  });
}

export function checkCpsCertificate(f: SlotFacts): CheckResult {
  const subject = f.reader;
  const cps = f.cps;
  if (!cps?.identity) {
    return check('cps.certificate', 'fail', CERT, tx(`Le certificat de la CPS est illisible${cps?.identityError ? ` : ${cps.identityError.message.fr}` : '.'}`, `The CPS certificate is unreadable${cps?.identityError ? `: ${cps.identityError.message.en}` : '.'}`), { error: cps?.identityError?.code ?? null }, {
      subject,
      remedy: cps?.identityError?.remedy ?? tx('Réinsérez la carte et joignez ce rapport à votre demande de support.', 'Reinsert the card and attach this report to your support request.'),
    });
  }
  const id = cps.identity;
  const evidence = { notBefore: id.notBefore.toISOString(), notAfter: id.notAfter.toISOString(), status: id.status, expiresInDays: id.expiresInDays, issuer: id.issuerCommonName ?? id.issuer, certificateSerial: id.certificateSerial, generation: id.generation };
  if (id.status === 'expired') {
    return check('cps.certificate', 'fail', CERT, tx(`La CPS a expiré le ${day(id.notAfter)} : elle ne permet plus d’activer la e-CPS.`, `The CPS expired on ${day(id.notAfter)}: it can no longer activate e-CPS.`), evidence, {
      subject,
      remedy: tx('Commandez une nouvelle carte (renouvellement auprès de l’Ordre / de l’ANS) ; en attendant, activez la e-CPS sans carte (par e-mail et SMS) si vos coordonnées sont à jour.', 'Order a new card (renewal through the Ordre / the ANS); meanwhile, activate e-CPS without the card (e-mail and SMS) if your contact details are up to date.'),
    });
  }
  if (id.status === 'not-yet-valid') {
    return check('cps.certificate', 'fail', CERT, tx(`Le certificat de la CPS n’est valide qu’à partir du ${day(id.notBefore)}.`, `The CPS certificate is valid only from ${day(id.notBefore)}.`), evidence, {
      subject,
      remedy: tx('Vérifiez la date et l’heure de l’ordinateur ; une carte neuve peut aussi n’être utilisable qu’à partir de sa date d’activation.', 'Check the computer’s date and time; a new card may also be usable only from its activation date.'),
    });
  }
  if (id.expiresInDays <= EXPIRY_WARNING_DAYS) {
    return check('cps.certificate', 'warn', CERT, tx(`La CPS expire dans ${frCount(id.expiresInDays, 'jour', 'jours')} (le ${day(id.notAfter)}).`, `The CPS expires in ${enCount(id.expiresInDays, 'day', 'days')} (on ${day(id.notAfter)}).`), evidence, {
      subject,
      remedy: tx('Pensez à demander le renouvellement de la carte.', 'Remember to ask for the card’s renewal.'),
    });
  }
  return check('cps.certificate', 'ok', CERT, tx(`Certificat valide jusqu’au ${day(id.notAfter)}.`, `Certificate valid until ${day(id.notAfter)}.`), evidence, { subject });
}

export function checkCpsChain(f: SlotFacts, trustConfigured: boolean): CheckResult {
  const subject = f.reader;
  const cps = f.cps;
  if (!trustConfigured) return skipped('cps.chain', CHAIN, tx('Chaîne non vérifiée : aucun certificat racine IGC-Santé n’est fourni à ce diagnostic.', 'Chain not checked: no IGC-Santé root certificate is given to this diagnostic.'), {}, subject);
  if (cps?.chainError) return check('cps.chain', 'fail', CHAIN, cps.chainError.message, { error: cps.chainError.code }, { subject, remedy: cps.chainError.remedy });
  if (!cps?.chain) return skipped('cps.chain', CHAIN, tx('Certificat illisible : chaîne non vérifiée.', 'Certificate unreadable: chain not checked.'), {}, subject);
  const evidence = { status: cps.chain.status, chain: cps.chain.chain };
  if (cps.chain.status === 'valid') return check('cps.chain', 'ok', CHAIN, cps.chain.reason, evidence, { subject });
  if (cps.chain.status === 'untrusted') {
    return check('cps.chain', 'warn', CHAIN, cps.chain.reason, evidence, {
      subject,
      remedy: tx('Les racines IGC-Santé ne sont peut-être pas configurées dans le Compagnon (le diagnostic connaît les racines de TEST du bac à sable) ; sinon la carte n’est pas une CPS de l’ANS.', 'The IGC-Santé roots may not be configured in the companion (the diagnostics know the sandbox TEST roots); otherwise the card is not an ANS CPS.'),
    });
  }
  return check('cps.chain', 'fail', CHAIN, cps.chain.reason, evidence, {
    subject,
    remedy: tx('Vérifiez la date de l’ordinateur ; si elle est juste, la carte ou son autorité est hors validité : renouvelez la carte.', 'Check the computer’s date; if it is right, the card or its authority is out of validity: renew the card.'),
  });
}

export function checkCpsPin(f: SlotFacts): CheckResult {
  const subject = f.reader;
  const cps = f.cps;
  if (!cps?.pin) {
    return check('cps.pin', 'warn', PIN, tx(`Le compteur d’essais n’a pas pu être lu${cps?.pinError ? ` : ${cps.pinError.message.fr}` : '.'}`, `The try counter could not be read${cps?.pinError ? `: ${cps.pinError.message.en}` : '.'}`), { error: cps?.pinError?.code ?? null }, {
      subject,
      ...(cps?.pinError?.remedy ? { remedy: cps.pinError.remedy } : {}),
    });
  }
  const pin = cps.pin;
  const evidence = { triesLeft: pin.triesLeft, maxTries: pin.maxTries, blocked: pin.blocked, ...(cps.puk ? { puk: { triesLeft: cps.puk.triesLeft, maxTries: cps.puk.maxTries, blocked: cps.puk.blocked, usesLeft: cps.puk.usesLeft ?? null } } : {}), readWithoutSpendingATry: true };
  if (pin.blocked) {
    const pukDead = cps.puk?.blocked === true || cps.puk?.usesLeft === 0;
    return check('cps.pin', 'fail', PIN, pukDead
      ? tx('Le code porteur est bloqué et le code de déblocage (PUK) aussi : la carte est inutilisable.', 'The PIN is blocked and so is the unblocking code (PUK): the card is unusable.')
      : tx(`Le code porteur est bloqué (3 codes faux).${cps.puk ? ` Il reste ${frCount(cps.puk.triesLeft, 'essai', 'essais')} au code de déblocage.` : ''}`, `The PIN is blocked (3 wrong codes).${cps.puk ? ` The unblocking code has ${enCount(cps.puk.triesLeft, 'try', 'tries')} left.` : ''}`), evidence, {
      subject,
      remedy: pukDead
        ? tx('Commandez une nouvelle carte CPS (ANS / Ordre des pharmaciens).', 'Order a new CPS card (ANS / Ordre des pharmaciens).')
        : tx('Débloquez la carte avec son code de déblocage (PUK, 8 chiffres, reçu avec la carte) : « ecps pin unblock », ou CPS-Gestion. Sans PUK, demandez-le à l’ANS (espace CPS).', 'Unblock the card with its unblocking code (PUK, 8 digits, sent with the card): "ecps pin unblock", or CPS-Gestion. Without the PUK, ask the ANS for it (CPS support).'),
    });
  }
  if (pin.triesLeft < pin.maxTries) {
    return check('cps.pin', 'warn', PIN, tx(`Il reste ${frCount(pin.triesLeft, 'essai', 'essais')} sur ${pin.maxTries} au code porteur : des codes faux ont été saisis.`, `${pin.triesLeft} of ${pin.maxTries} PIN tries left: wrong codes were typed.`), evidence, {
      subject,
      remedy: tx('Ne tentez le code que si vous en êtes sûr ; le compteur revient au maximum après un code juste.', 'Only try the code if you are sure of it; the counter goes back to the maximum after a right code.'),
    });
  }
  return check('cps.pin', 'ok', PIN, tx(`${pin.triesLeft} essais sur ${pin.maxTries} (lu sans consommer d’essai).`, `${pin.triesLeft} of ${pin.maxTries} tries (read without spending one).`), evidence, { subject });
}
