/**
 * The PC/SC service and the readers it shows. The port's serviceAvailable() is the truth
 * (can we talk to it now?); the platform probe explains why not: pcscd not running, its socket
 * missing (Linux), SCardSvr stopped (Windows).
 */
import type { ReaderPort } from '../../../src-shared/reader-port';
import type { ServiceProbe } from '../platform';
import { check, skipped, tx, type CheckResult } from '../types';
import { enCount, frCount } from '../plural';

const SERVICE = tx('Service PC/SC', 'PC/SC service');
const READERS = tx('Lecteurs visibles par PC/SC', 'Readers visible to PC/SC');

export function checkPcscService(port: ReaderPort, probe: ServiceProbe | undefined, demo: boolean): CheckResult {
  if (demo || port.kind === 'simulator') {
    return skipped('pcsc.service', SERVICE, tx('Mode démonstration : le lecteur virtuel intégré ne passe pas par PC/SC.', 'Demo mode: the built-in virtual reader does not use PC/SC.'));
  }
  const evidence = { serviceAvailable: port.serviceAvailable(), ...(probe ? { probe: { ...probe } } : {}) };
  if (port.serviceAvailable()) {
    return check('pcsc.service', 'ok', SERVICE, tx('Le service PC/SC répond.', 'The PC/SC service answers.'), evidence);
  }
  return check('pcsc.service', 'fail', SERVICE, serviceExplanation(probe), evidence, { remedy: serviceRemedy(probe) });
}

function serviceExplanation(probe: ServiceProbe | undefined) {
  if (probe?.platform === 'win32') {
    return tx(
      `Le service Windows « Carte à puce » (SCardSvr) ne répond pas (état : ${probe.windowsServiceState ?? 'inconnu'}).`,
      `The Windows "Smart Card" service (SCardSvr) does not answer (state: ${probe.windowsServiceState ?? 'unknown'}).`,
    );
  }
  if (probe?.platform === 'linux') {
    if (probe.processRunning === false) {
      return tx(
        `Le démon pcscd ne tourne pas${probe.socketPresent ? '' : ` et sa socket ${probe.socketPath} est absente`}.`,
        `The pcscd daemon is not running${probe.socketPresent ? '' : ` and its socket ${probe.socketPath} is missing`}.`,
      );
    }
    return tx(
      `pcscd ne répond pas sur sa socket ${probe.socketPath ?? ''}${probe.socketPresent ? '' : ' (absente)'}.`,
      `pcscd does not answer on its socket ${probe.socketPath ?? ''}${probe.socketPresent ? '' : ' (missing)'}.`,
    );
  }
  return tx('Le service de cartes à puce (PC/SC) ne répond pas.', 'The smart-card service (PC/SC) does not answer.');
}

function serviceRemedy(probe: ServiceProbe | undefined) {
  if (probe?.platform === 'win32') {
    return tx(
      'Démarrez le service « Carte à puce » : services.msc → Carte à puce → Démarrer, type de démarrage « Automatique » (ou « sc start SCardSvr » en administrateur). Débranchez et rebranchez le lecteur : Windows arrête ce service quand aucun lecteur n’est branché.',
      'Start the "Smart Card" service: services.msc → Smart Card → Start, startup type "Automatic" (or "sc start SCardSvr" as administrator). Unplug and plug the reader back: Windows stops this service when no reader is plugged in.',
    );
  }
  if (probe?.platform === 'linux' && probe.processRunning !== false) {
    return tx(
      'Redémarrez pcscd (« sudo systemctl restart pcscd.socket pcscd ») ; si vous lancez le Compagnon dans un environnement particulier, vérifiez la variable PCSCLITE_CSOCK_NAME et les droits (polkit) sur la socket.',
      'Restart pcscd ("sudo systemctl restart pcscd.socket pcscd"); if the companion runs in a special environment, check the PCSCLITE_CSOCK_NAME variable and the rights (polkit) on the socket.',
    );
  }
  return tx(
    'Sous Linux : « sudo systemctl enable --now pcscd.socket » (paquet pcscd ; « sudo apt install pcscd » s’il manque). Sous Windows : démarrez le service « Carte à puce ».',
    'On Linux: "sudo systemctl enable --now pcscd.socket" (package pcscd; "sudo apt install pcscd" if missing). On Windows: start the "Smart Card" service.',
  );
}

export function checkReadersPresent(port: ReaderPort, serviceUp: boolean): CheckResult {
  if (!serviceUp) return skipped('pcsc.readers', READERS, tx('Le service PC/SC ne répond pas : impossible de lister les lecteurs.', 'The PC/SC service does not answer: cannot list readers.'));
  const names = port.readers().map((r) => r.name);
  if (names.length === 0) {
    return check('pcsc.readers', 'fail', READERS, tx('Aucun lecteur n’est visible par PC/SC.', 'No reader is visible to PC/SC.'), { readers: [] }, {
      remedy: tx(
        'Branchez le lecteur (directement sur le PC, pas sur un concentrateur) ; un lecteur bi-fente Vitale/CPS doit être en mode PC/SC et non PSS. Voir aussi la vérification des périphériques USB ci-dessous.',
        'Plug the reader in (directly into the PC, not a hub); a dual-slot Vitale/CPS reader must be in PC/SC mode, not PSS. See also the USB devices check below.',
      ),
    });
  }
  return check('pcsc.readers', 'ok', READERS, tx(`${frCount(names.length, 'lecteur visible', 'lecteurs visibles')} par PC/SC.`, `${enCount(names.length, 'reader', 'readers')} visible to PC/SC.`), { readers: names });
}
