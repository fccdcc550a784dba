/**
 * Every sentence the CLI prints, in French (default) and English. Technicians read these in
 * a terminal; keep them short and say what to do next.
 */
import type { Lang, LocalizedText } from '../../src-shared/errors';

const fr = {
  usageTitle: 'Compagnon e-CPS — outil en ligne de commande pour lecteurs de cartes CPS / Vitale',
  usageBody: `Usage : ecps <commande> [options]

Commandes :
  readers                 lecteurs et cartes présentes
  readers --strategies | --forget NOM | --forget-all [--state-dir DOSSIER]
                          stratégies de repli mémorisées par lecteur (lecteurs anciens) :
                          les voir, en oublier une, les oublier toutes
  watch                   événements lecteur / carte en direct (Ctrl-C pour arrêter)
  atr <hex>… | atr -      analyse d'ATR (une par ligne sur l'entrée standard avec « - »)
  card [--reader NOM]     type de carte, ATR, protocole ; pour une CPS : titulaire,
                          profession, RPPS, validité, essais du code porteur
  pin status|verify|change|unblock [--reader NOM] [--pin-stdin] [--confirm-last-try]
                          essais restants / vérifier / changer / débloquer le code porteur.
                          Les codes sont demandés sans écho, ou lus sur l’entrée standard
                          avec --pin-stdin, un par ligne : verify : code ; change : ancien,
                          nouveau ; unblock : code de déblocage, nouveau code.
                          Jamais sur la ligne de commande.
  auth-test [--reader NOM] [--pin-stdin] [--trust FICHIER.pem|der]…
                          défi aléatoire signé par la carte, vérifié avec son certificat
                          et la chaîne de certification ; verdict et durées
  portal-test [--port N] [--trust FICHIER]… [--once]
                          serveur HTTPS local (TEST) qui demande le certificat de la carte,
                          comme le portail e-CPS : affiche qui se connecte (nom, RPPS,
                          profession) et la commande pour essayer avec curl et OpenSC
  portal-test --client [--module CHEMIN] [--reader NOM] [--pin-stdin] [--confirm-last-try]
                          le même serveur, et un vrai client TLS (curl + module PKCS#11 de
                          la carte, OpenSC par défaut) qui s’y connecte avec la carte
  simulate <carte>        branche une carte virtuelle dans le lecteur virtuel vpcd
                          cartes : {cards}
                          options : --slot 0|1, --fault SPEC (répétable), --vpcd-port N
                          CPS : --pin 1234, --puk 12345678, --holder "NOM Prénom"|pharmacist|
                          doctor|nurse|employee, --variant expired|not-yet-valid|blocked|
                          puk-1-left|cpe, --serial 8CHIFFRES. --pin et --puk règlent une
                          carte de TEST virtuelle : ce ne sont pas des secrets réels.
  companion               tableau de bord du compagnon (npm start)
  ready [--reader NOM]    « Prêt pour l’activation ? » avant le portail officiel : PC/SC,
                          lecteur, CPS dans la fente CPS, essais du code porteur (sans en
                          consommer), certificat, module de carte des navigateurs et
                          certificat visible par eux ; code 15 si une vérification échoue
  diagnose [--html FICHIER] [--show-personal-data] [--reader NOM] [--authority URL]
           [--allow-exclusive] [--state-dir DOSSIER]
                          diagnostic technicien : service PC/SC, lecteurs, cartes, CPS,
                          navigateurs, GALSS, autorité, port d’appairage, tentatives
                          d’activation réelle ; rapport HTML imprimable
                          (nom et RPPS masqués sauf --show-personal-data) ; code 15 si une
                          vérification échoue. Essaie les stratégies de repli des lecteurs
                          anciens (accès exclusif seulement avec --allow-exclusive) et
                          mémorise celle qui fonctionne (dossier : --state-dir ou
                          ECPS_STATE_DIR, sinon le dossier de configuration de l’utilisateur)
  activate [--reader NOM] [--authority URL|sandbox] [--bind ADRESSE] [--relay URL]
           [--accept-cgu] [--stdin] | activate --without-card [--national-id N]
                          activation de la e-CPS (avec la carte : code porteur, CGU, QR code,
                          code du téléphone, mot de passe ; --stdin : une réponse par ligne)
  phone - | <ecps1:…> [--stdin] [--relay-only]
                          téléphone de référence (l’application e-CPS simulée) ; « - » :
                          le contenu du QR code lu sur l’entrée standard (invisible dans ps)
  phone --web [--port N] [--bind ADRESSE]
                          sert la page web du téléphone de référence (démonstration)
  authority [--port N] [--host 127.0.0.1] [--data DOSSIER]
                          autorité d’activation de test (bac à sable) jusqu’à Ctrl-C

Options générales :
  --json                  sortie JSON (un document, ou un par ligne pour les flux)
  --lang fr|en            langue des messages (défaut : fr)
  --demo                  utiliser le lecteur virtuel intégré au lieu de PC/SC
  --timeout MS            délai maximal d'une commande à la carte (défaut : 15000)
  -h, --help              cette aide
  -v, --version           version`,
  usageInvalid: 'Ligne de commande invalide : {detail}',
  usageRemedy: 'Tapez « ecps --help » pour la liste des commandes.',
  unknownCommand: 'commande inconnue « {name} »',
  unknownOption: 'option inconnue « {option} »',
  missingValue: 'l’option « {option} » attend une valeur',
  noValueExpected: 'l’option « {option} » ne prend pas de valeur',
  unexpectedArgument: 'argument inattendu « {arg} » pour « ecps {command} »',
  badLang: 'langue « {value} » inconnue (fr ou en)',
  badLangEnv: 'ECPS_LANG={value} : langue inconnue (fr ou en)',
  badTimeout: '--timeout {value} : un nombre entier de millisecondes entre 100 et 600000 est attendu',
  portalClientDemo: '--client a besoin du service PC/SC : OpenSC ne voit pas le lecteur intégré de --demo (branchez une carte virtuelle avec « ecps simulate cps3 »)',
  atrMissing: 'indiquez une ATR en hexadécimal, ou « - » pour les lire sur l’entrée standard (ecps atr <hex>… | ecps atr -)',
  simulateMissing: 'indiquez la carte à simuler : ecps simulate <{list}>',
  badSlot: '--slot {value} : 0 ou 1 attendu',
  badVpcdPort: '--vpcd-port {value} : un port TCP entre 1 et 65534 est attendu',
  simulateBadFault: 'panne simulée « {spec} » mal décrite (formes acceptées : mute, mute:N, slow:MS, drop:N, wrong-le, no-get-response)',
  unexpectedError: 'Erreur inattendue : {message}',
  unexpectedErrorRemedy: 'Relancez la commande ; si l’erreur revient, joignez cette sortie à votre demande de support.',
  atrNotHex: 'Ce n’est pas une ATR en hexadécimal (nombre pair de chiffres 0-9 A-F attendu).',
  remedyLine: 'Que faire : {remedy}',
  field: '{label} : {value}',
  quoted: '« {text} »',
  serialShort: 'n° {serial}',
  noReaders: 'Aucun lecteur de cartes détecté.',
  noReadersRemedy: 'Branchez le lecteur (en mode PC/SC), puis relancez la commande.',
  reader: 'Lecteur',
  cardPresent: 'carte présente',
  noCard: 'pas de carte',
  inUse: 'utilisée par une autre application',
  mute: 'carte muette',
  atrLabel: 'ATR',
  typeLabel: 'Type',
  serialLabel: 'Numéro de série',
  protocolLabel: 'Protocole',
  confirmedLabel: 'Confirmée par la carte',
  yes: 'oui',
  no: 'non',
  demoBanner: '*** MODE DÉMONSTRATION — lecteur et cartes virtuels, aucune vraie carte n’est lue ***',
  watchStarted: 'Surveillance des lecteurs (Ctrl-C pour arrêter)…',
  evReaderAdded: 'Lecteur branché : {reader}',
  evReaderRemoved: 'Lecteur débranché : {reader}',
  evCardInserted: 'Carte insérée dans {reader} — {label} (ATR {atr})',
  evCardRemoved: 'Carte retirée de {reader}',
  evServiceDown: 'Service PC/SC arrêté ou injoignable : {message}',
  evServiceUp: 'Service PC/SC de nouveau disponible',
  atrConvention: 'Convention',
  atrDirect: 'directe',
  atrInverse: 'inverse',
  atrConventionUnknown: 'inconnue (TS invalide)',
  atrProtocols: 'Protocoles',
  atrHistorical: 'Octets historiques',
  atrTck: 'TCK',
  atrTckValid: 'valide',
  atrTckInvalid: 'INVALIDE',
  atrTckAbsent: 'absent (T=0 seul)',
  atrCard: 'Carte',
  atrCardSource: 'Source',
  cardNamedFromList: 'ATR absente de la base de Compagnon e-CPS ; {file} (pcsc-tools) : {names}',
  atrCardFromList: 'absente de la base de Compagnon e-CPS ; nommée d’après {file} (pcsc-tools)',
  atrReadStdin: 'Lecture des ATR sur l’entrée standard (une par ligne)…',
  atrInputLength: '(entrée de {n} caractères, coupée ci-dessus)',
  simulateInserted: 'Carte virtuelle « {label} » insérée dans le lecteur virtuel (port {port}). Ctrl-C pour la retirer.',
  simulateRemoved: 'Carte retirée du lecteur virtuel.',
  simulateWaiting: 'En attente du lecteur virtuel vpcd sur le port {port} (pcscd est-il démarré ?)…',
  simulateUnknown: 'carte virtuelle inconnue « {name} » (cartes disponibles : {list})',
  companionTitle: 'Compagnon e-CPS — état des lecteurs',
  companionSource: 'Source : {source}',
  companionSourcePcsc: 'service PC/SC (lecteurs réels)',
  companionSourceDemo: 'lecteur virtuel intégré (démonstration)',
  companionFallback: 'Aucun lecteur PC/SC disponible ({why}) : démarrage en mode démonstration avec des cartes virtuelles.',
  companionNext: 'L’assistant d’activation (fenêtre) viendra avec l’application de bureau. Ctrl-C pour quitter.',
  pinMissingAction: 'indiquez l’opération : ecps pin status|verify|change|unblock',
  pinUnknownAction: 'opération « {name} » inconnue pour « ecps pin » (status, verify, change, unblock)',
  pinOnArgv: 'un code porteur ou de déblocage ne se tape jamais sur la ligne de commande (les autres utilisateurs le verraient avec « ps » et il resterait dans l’historique du shell) ; il est demandé sans écho, ou lu sur l’entrée standard avec --pin-stdin',
  promptPin: 'Code porteur (4 chiffres) : ',
  promptNewPin: 'Nouveau code porteur : ',
  promptConfirmPin: 'Confirmez le nouveau code : ',
  promptPuk: 'Code de déblocage (8 chiffres) : ',
  pinLabel: 'Code porteur',
  pukLabel: 'Code de déblocage',
  triesOf: '{n} essai{s} restant{s} sur {max}',
  blockedState: 'BLOQUÉ',
  usesLeft: '{n} utilisation{s} restante{s}',
  pinVerifyOk: 'Code porteur correct.',
  pinChangeOk: 'Code porteur changé.',
  pinUnblockOk: 'Carte débloquée : le nouveau code porteur est enregistré.',
  holderLabel: 'Titulaire',
  professionLabel: 'Profession',
  organizationLabel: 'Établissement',
  validityLabel: 'Validité',
  validityRange: 'du {from} au {to}',
  expiresIn: 'expire dans {n} jour{s}',
  expiredState: 'EXPIRÉE',
  notYetValidState: 'PAS ENCORE VALIDE',
  issuerLabel: 'Émetteur',
  identityUnreadable: 'Identité illisible : {message}',
  pinStatusUnreadable: 'Essais du code porteur illisibles : {message}',
  authTitle: 'Test d’authentification de la carte',
  authChallenge: 'Défi',
  authChallengeValue: '{n} octets aléatoires',
  authAlgorithm: 'Algorithme',
  authSignature: 'Signature de la carte',
  authSignatureOk: 'vérifiée avec le certificat d’authentification',
  authSignatureBad: 'NE CORRESPOND PAS au certificat d’authentification',
  authChain: 'Chaîne de certification',
  authPinVerified: 'code porteur vérifié avant la signature',
  authSignatureTime: 'Durée de la signature',
  authTotalTime: 'Durée totale',
  msValue: '{ms} ms',
  authVerdict: 'Verdict',
  authValid: 'VALIDE',
  authInvalid: 'INVALIDE',
  authBadSignatureReason: 'la signature de la carte ne correspond pas à son certificat.',
  simulateBadPin: '--pin : le code porteur de la carte virtuelle doit avoir 4 chiffres',
  simulateBadPuk: '--puk : le code de déblocage de la carte virtuelle doit avoir 8 chiffres',
  simulateBadSerial: '--serial : 8 chiffres attendus',
  simulateBadVariant: '--variant {value} : variante inconnue ({list})',
  simulateBadHolder: '--holder : « NOM Prénom » ou un titulaire de test ({list}) attendu',
  simulateCpsOnly: 'l’option « {option} » ne vaut que pour une carte CPS (cps3, cps4)',
  simulateHolder: 'Titulaire : {holder} ({profession}) — variante : {variant}',
  traceWritten: 'Trace APDU écrite dans {file} (codes porteur et de déblocage masqués).',
  diagnoseHtmlWritten: 'Rapport HTML écrit dans {file}.',
  diagnoseBadAuthority: '--authority {value} : « sandbox » ou une adresse http(s):// est attendue',
  readersStrategyOptionsClash: '--strategies, --forget et --forget-all ne vont pas ensemble : choisissez-en une',
  readersStateDirAlone: '--state-dir ne sert qu’avec --strategies, --forget ou --forget-all',
  strategiesTitle: 'Stratégies de repli mémorisées ({directory}) :',
  strategiesNone: 'Aucune stratégie de repli mémorisée ({directory}).',
  strategiesEntry: '{reader} : {rungs} — mémorisée le {date}',
  strategiesDefault: 'stratégie par défaut',
  strategiesDetail: 'réglages : {strategy}',
  strategyForgotten: 'Stratégie oubliée pour {reader} : le prochain essai repartira de la stratégie par défaut.',
  strategiesForgottenAll: 'Aucune stratégie oubliée. | 1 stratégie oubliée : {readers}. | {count} stratégies oubliées : {readers}.',
  strategiesNothingToForget: 'Aucune stratégie mémorisée : rien à oublier ({directory}).',
  activateAuthority: 'Autorité d’activation : {label} — {url}',
  activateBadBind: '--bind {value} : une adresse IP d’une interface de cet ordinateur est attendue',
  activateBadAuthority: '--authority {value} : « sandbox » ou une adresse http(s):// est attendue',
  activateInputEnded: 'l’entrée standard s’est terminée avant la réponse attendue (--stdin : une ligne par question)',
  activateQrHint: 'Avec le téléphone de référence : lancez « ecps phone - » et collez-y {payload}',
  activateQrPayload: 'Contenu du QR code : {payload}',
  activateEmail: 'E-mail (bac à sable) envoyé à {to} — QR code : {payload}',
  activateSms: 'SMS (bac à sable) envoyé au {to} : code {code}',
  activateRequestSent: 'Demande envoyée : le QR code part par e-mail à {to}.',
  activatePhoneConnected: 'Téléphone connecté ({via}).',
  activateSmsSent: 'Code SMS envoyé au {to} : saisissez-le sur le téléphone.',
  activateDone: 'e-CPS activée (activation {id}).',
  activatePromptCode: 'Code affiché sur le téléphone : ',
  activatePromptPassword: 'Mot de passe e-CPS (4 chiffres) : ',
  activatePromptPasswordAgain: 'Confirmez le mot de passe e-CPS : ',
  activatePromptNationalId: 'Numéro RPPS : ',
  activateCguTitle: 'Conditions générales d’utilisation (version {version}) :',
  activateCguAsk: 'Acceptez-vous ces conditions ? [o/N] : ',
  phoneMissingPayload: 'indiquez le contenu du QR code : ecps phone - (puis collez-le, ou envoyez-le sur l’entrée standard), ou ecps phone <ecps1:…>',
  phonePayloadTwice: 'le contenu du QR code est lu sur l’entrée standard (-, --payload-stdin) : ne le donnez pas aussi en argument',
  phonePromptPayload: 'Contenu du QR code (ecps1:…) : ',
  phoneConnected: 'Connecté à l’ordinateur ({via}).',
  phoneCode: 'Code à saisir sur l’ordinateur : {code}',
  phoneCodeConfirmed: 'Code confirmé par l’ordinateur.',
  phonePasswordAsked: 'Saisissez le mot de passe e-CPS choisi sur l’ordinateur.',
  phonePromptPassword: 'Mot de passe e-CPS : ',
  phonePasswordOk: 'Mot de passe vérifié.',
  phonePasswordWrong: 'Mot de passe différent de celui de l’ordinateur : plus aucun essai. | Mot de passe différent de celui de l’ordinateur : il reste 1 essai. | Mot de passe différent de celui de l’ordinateur : il reste {n} essais.',
  phoneSmsAsked: 'Saisissez le code reçu par SMS.',
  phonePromptSms: 'Code SMS : ',
  phoneSmsOk: 'Code SMS vérifié.',
  phoneSmsWrong: 'Code SMS incorrect : plus aucun essai. | Code SMS incorrect : il reste 1 essai. | Code SMS incorrect : il reste {n} essais.',
  phoneDone: 'e-CPS activée sur ce téléphone.',
  phoneClosed: 'La liaison avec l’ordinateur a été fermée ({code} {reason}).',
  phoneCancelled: 'Annulé.',
  phoneInputEnded: 'L’entrée standard s’est terminée avant la réponse attendue.',
  phoneWebListening: 'Page du téléphone de référence (démonstration) : {url} (Ctrl-C pour arrêter)',
  phoneWebHint: 'Ouvrez {url}#<contenu du QR> sur un téléphone du même réseau, ou collez-y le contenu du QR code.',
  phoneWebOrigin: 'Origine de la page, à autoriser côté ordinateur : {origin}',
  phoneWebBadPort: '--port {value} : un entier de 0 à 65535 est attendu',
  phoneWebWithPayload: '--web sert la page seule : n’indiquez pas de QR code avec --web',
  authorityBadPort: '--port {value} : un entier de 0 à 65535 est attendu',
  authorityListening: '{label} — à l’écoute sur {url} (Ctrl-C pour arrêter)',
  authorityRelay: 'Relais websocket : {url}',
  authorityOutbox: 'Boîte d’envoi (e-mails et SMS) : {url}',
  authorityMemoryOnly: 'Sans --data : les activations sont gardées en mémoire seulement.',
} as const;

export type MessageKey = keyof typeof fr;

const en: Record<MessageKey, string> = {
  usageTitle: 'Compagnon e-CPS — command-line tool for CPS / Vitale card readers',
  usageBody: `Usage: ecps <command> [options]

Commands:
  readers                 readers and the cards in them
  readers --strategies | --forget NAME | --forget-all [--state-dir FOLDER]
                          fallback strategies remembered per reader (legacy readers):
                          list them, forget one, forget them all
  watch                   live reader / card events (Ctrl-C to stop)
  atr <hex>… | atr -      ATR analysis (one per line on standard input with "-")
  card [--reader NAME]    card type, ATR, protocol; for a CPS: holder, profession,
                          RPPS, validity, PIN tries left
  pin status|verify|change|unblock [--reader NAME] [--pin-stdin] [--confirm-last-try]
                          PIN tries left / check / change / unblock the PIN.
                          Codes are asked for without echo, or read from standard input
                          with --pin-stdin, one per line: verify: PIN; change: old, new;
                          unblock: PUK, new PIN. Never on the command line.
  auth-test [--reader NAME] [--pin-stdin] [--trust FILE.pem|der]…
                          random challenge signed by the card, checked with its certificate
                          and the certificate chain; verdict and timings
  portal-test [--port N] [--trust FILE]… [--once]
                          local HTTPS server (TEST) asking for the card's certificate,
                          as the e-CPS portal does: shows who logs in (name, RPPS,
                          profession) and the command to try it with curl and OpenSC
  portal-test --client [--module PATH] [--reader NAME] [--pin-stdin] [--confirm-last-try]
                          the same server, and a real TLS client (curl + the card's
                          PKCS#11 module, OpenSC by default) logging in with the card
  simulate <card>         plugs a virtual card into the vpcd virtual reader
                          cards: {cards}
                          options: --slot 0|1, --fault SPEC (repeatable), --vpcd-port N
                          CPS: --pin 1234, --puk 12345678, --holder "SURNAME Given"|pharmacist|
                          doctor|nurse|employee, --variant expired|not-yet-valid|blocked|
                          puk-1-left|cpe, --serial 8DIGITS. --pin and --puk configure a
                          virtual TEST card: they are not real secrets.
  companion               companion status board (npm start)
  ready [--reader NAME]   "Ready for the activation?" before the official portal: PC/SC,
                          reader, CPS in the CPS slot, PIN tries (none spent),
                          certificate, the browsers' card module and the certificate
                          visible to them; exit 15 when a check fails
  diagnose [--html FILE] [--show-personal-data] [--reader NAME] [--authority URL]
           [--allow-exclusive] [--state-dir FOLDER]
                          technician diagnostics: PC/SC service, readers, cards, CPS,
                          browsers, GALSS, authority, pairing port, real activation
                          attempts; printable HTML report (name
                          and RPPS masked unless --show-personal-data); exit 15 when a
                          check fails. Tries the legacy-reader fallback strategies
                          (exclusive access only with --allow-exclusive) and remembers
                          the one that works (folder: --state-dir or ECPS_STATE_DIR, else
                          the user's configuration folder)
  activate [--reader NAME] [--authority URL|sandbox] [--bind ADDRESS] [--relay URL]
           [--accept-cgu] [--stdin] | activate --without-card [--national-id N]
                          e-CPS activation (with the card: PIN, terms, QR code, the
                          phone's code, password; --stdin: one answer per line)
  phone - | <ecps1:…> [--stdin] [--relay-only]
                          reference phone (the e-CPS app, simulated); "-": the QR code
                          content read from standard input (not visible in ps)
  phone --web [--port N] [--bind ADDRESS]
                          serves the reference phone's web page (demos)
  authority [--port N] [--host 127.0.0.1] [--data FOLDER]
                          sandbox activation authority until Ctrl-C

General options:
  --json                  JSON output (one document, or one per line for streams)
  --lang fr|en            message language (default: fr)
  --demo                  use the built-in virtual reader instead of PC/SC
  --timeout MS            longest wait for one card command (default: 15000)
  --trace FILE            writes the APDU trace of card / pin / auth-test (codes redacted)
  -h, --help              this help
  -v, --version           version`,
  usageInvalid: 'Invalid command line: {detail}',
  usageRemedy: 'Type "ecps --help" for the list of commands.',
  unknownCommand: 'unknown command "{name}"',
  unknownOption: 'unknown option "{option}"',
  missingValue: 'option "{option}" needs a value',
  noValueExpected: 'option "{option}" takes no value',
  unexpectedArgument: 'unexpected argument "{arg}" for "ecps {command}"',
  badLang: 'unknown language "{value}" (fr or en)',
  badLangEnv: 'ECPS_LANG={value}: unknown language (fr or en)',
  portalClientDemo: '--client needs the PC/SC service: OpenSC cannot see the --demo built-in reader (plug a virtual card with "ecps simulate cps3")',
  badTimeout: '--timeout {value}: a whole number of milliseconds between 100 and 600000 is expected',
  atrMissing: 'give an ATR in hexadecimal, or "-" to read them from standard input (ecps atr <hex>… | ecps atr -)',
  simulateMissing: 'say which card to simulate: ecps simulate <{list}>',
  badSlot: '--slot {value}: 0 or 1 expected',
  badVpcdPort: '--vpcd-port {value}: a TCP port between 1 and 65534 is expected',
  simulateBadFault: 'invalid simulated fault "{spec}" (accepted forms: mute, mute:N, slow:MS, drop:N, wrong-le, no-get-response)',
  unexpectedError: 'Unexpected error: {message}',
  unexpectedErrorRemedy: 'Run the command again; if the error persists, attach this output to your support request.',
  atrNotHex: 'This is not a hexadecimal ATR (an even number of 0-9 A-F digits is expected).',
  remedyLine: 'What to do: {remedy}',
  field: '{label}: {value}',
  quoted: '"{text}"',
  serialShort: 'no. {serial}',
  noReaders: 'No card reader detected.',
  noReadersRemedy: 'Plug the reader in (in PC/SC mode), then run the command again.',
  reader: 'Reader',
  cardPresent: 'card present',
  noCard: 'no card',
  inUse: 'used by another application',
  mute: 'mute card',
  atrLabel: 'ATR',
  typeLabel: 'Type',
  serialLabel: 'Serial number',
  protocolLabel: 'Protocol',
  confirmedLabel: 'Confirmed by the card',
  yes: 'yes',
  no: 'no',
  demoBanner: '*** DEMO MODE — virtual reader and cards, no real card is read ***',
  watchStarted: 'Watching readers (Ctrl-C to stop)…',
  evReaderAdded: 'Reader plugged in: {reader}',
  evReaderRemoved: 'Reader unplugged: {reader}',
  evCardInserted: 'Card inserted in {reader} — {label} (ATR {atr})',
  evCardRemoved: 'Card removed from {reader}',
  evServiceDown: 'PC/SC service stopped or unreachable: {message}',
  evServiceUp: 'PC/SC service available again',
  atrConvention: 'Convention',
  atrDirect: 'direct',
  atrInverse: 'inverse',
  atrConventionUnknown: 'unknown (invalid TS)',
  atrProtocols: 'Protocols',
  atrHistorical: 'Historical bytes',
  atrTck: 'TCK',
  atrTckValid: 'valid',
  atrTckInvalid: 'INVALID',
  atrTckAbsent: 'absent (T=0 only)',
  atrCard: 'Card',
  atrCardSource: 'Source',
  cardNamedFromList: 'ATR not in Compagnon e-CPS’s knowledge base; {file} (pcsc-tools): {names}',
  atrCardFromList: 'not in Compagnon e-CPS’s knowledge base; named from {file} (pcsc-tools)',
  atrReadStdin: 'Reading ATRs from standard input (one per line)…',
  atrInputLength: '(input of {n} characters, cut above)',
  simulateInserted: 'Virtual card "{label}" inserted in the virtual reader (port {port}). Ctrl-C to remove it.',
  simulateRemoved: 'Card removed from the virtual reader.',
  simulateWaiting: 'Waiting for the vpcd virtual reader on port {port} (is pcscd running?)…',
  simulateUnknown: 'unknown virtual card "{name}" (available cards: {list})',
  companionTitle: 'Compagnon e-CPS — reader status',
  companionSource: 'Source: {source}',
  companionSourcePcsc: 'PC/SC service (real readers)',
  companionSourceDemo: 'built-in virtual reader (demo)',
  companionFallback: 'No PC/SC reader available ({why}): starting in demo mode with virtual cards.',
  companionNext: 'The activation wizard (window) comes with the desktop app. Ctrl-C to quit.',
  pinMissingAction: 'say which operation: ecps pin status|verify|change|unblock',
  pinUnknownAction: 'unknown operation "{name}" for "ecps pin" (status, verify, change, unblock)',
  pinOnArgv: 'a PIN or PUK is never typed on the command line (other users would see it with "ps" and it would stay in the shell history); it is asked for without echo, or read from standard input with --pin-stdin',
  promptPin: 'PIN (4 digits): ',
  promptNewPin: 'New PIN: ',
  promptConfirmPin: 'Confirm the new PIN: ',
  promptPuk: 'Unblocking code, PUK (8 digits): ',
  pinLabel: 'PIN',
  pukLabel: 'Unblocking code (PUK)',
  triesOf: '{n} attempt{s} left out of {max}',
  blockedState: 'BLOCKED',
  usesLeft: '{n} use{s} left',
  pinVerifyOk: 'PIN correct.',
  pinChangeOk: 'PIN changed.',
  pinUnblockOk: 'Card unblocked: the new PIN is set.',
  holderLabel: 'Holder',
  professionLabel: 'Profession',
  organizationLabel: 'Organisation',
  validityLabel: 'Validity',
  validityRange: 'from {from} to {to}',
  expiresIn: 'expires in {n} day{s}',
  expiredState: 'EXPIRED',
  notYetValidState: 'NOT YET VALID',
  issuerLabel: 'Issuer',
  identityUnreadable: 'Identity unreadable: {message}',
  pinStatusUnreadable: 'PIN tries unreadable: {message}',
  authTitle: 'Card authentication test',
  authChallenge: 'Challenge',
  authChallengeValue: '{n} random bytes',
  authAlgorithm: 'Algorithm',
  authSignature: 'Card signature',
  authSignatureOk: 'verified with the authentication certificate',
  authSignatureBad: 'DOES NOT MATCH the authentication certificate',
  authChain: 'Certificate chain',
  authPinVerified: 'PIN verified before the signature',
  authSignatureTime: 'Signature time',
  authTotalTime: 'Total time',
  msValue: '{ms} ms',
  authVerdict: 'Verdict',
  authValid: 'VALID',
  authInvalid: 'INVALID',
  authBadSignatureReason: 'the card’s signature does not match its certificate.',
  simulateBadPin: '--pin: the virtual card’s PIN must be 4 digits',
  simulateBadPuk: '--puk: the virtual card’s PUK must be 8 digits',
  simulateBadSerial: '--serial: 8 digits expected',
  simulateBadVariant: '--variant {value}: unknown variant ({list})',
  simulateBadHolder: '--holder: "SURNAME Given" or a test holder ({list}) expected',
  simulateCpsOnly: 'option "{option}" only applies to a CPS card (cps3, cps4)',
  simulateHolder: 'Holder: {holder} ({profession}) — variant: {variant}',
  traceWritten: 'APDU trace written to {file} (PIN and PUK redacted).',
  diagnoseHtmlWritten: 'HTML report written to {file}.',
  diagnoseBadAuthority: '--authority {value}: "sandbox" or an http(s):// address expected',
  readersStrategyOptionsClash: '--strategies, --forget and --forget-all do not go together: choose one',
  readersStateDirAlone: '--state-dir only goes with --strategies, --forget or --forget-all',
  strategiesTitle: 'Remembered fallback strategies ({directory}):',
  strategiesNone: 'No fallback strategy remembered ({directory}).',
  strategiesEntry: '{reader}: {rungs} — remembered on {date}',
  strategiesDefault: 'default strategy',
  strategiesDetail: 'settings: {strategy}',
  strategyForgotten: 'Strategy forgotten for {reader}: the next attempt starts again from the default strategy.',
  strategiesForgottenAll: '{count} strategy/strategies forgotten: {readers}.',
  strategiesNothingToForget: 'No strategy remembered: nothing to forget ({directory}).',
  activateAuthority: 'Activation authority: {label} — {url}',
  activateBadBind: '--bind {value}: an IP address of one of this computer’s interfaces is expected',
  activateBadAuthority: '--authority {value}: "sandbox" or an http(s):// address is expected',
  activateInputEnded: 'standard input ended before the expected answer (--stdin: one line per question)',
  activateQrHint: 'With the reference phone: run "ecps phone -" and paste {payload}',
  activateQrPayload: 'QR code content: {payload}',
  activateEmail: 'E-mail (sandbox) sent to {to} — QR code: {payload}',
  activateSms: 'SMS (sandbox) sent to {to}: code {code}',
  activateRequestSent: 'Request sent: the QR code goes by e-mail to {to}.',
  activatePhoneConnected: 'Phone connected ({via}).',
  activateSmsSent: 'SMS code sent to {to}: type it on the phone.',
  activateDone: 'e-CPS activated (activation {id}).',
  activatePromptCode: 'Code shown on the phone: ',
  activatePromptPassword: 'e-CPS password (4 digits): ',
  activatePromptPasswordAgain: 'Confirm the e-CPS password: ',
  activatePromptNationalId: 'RPPS number: ',
  activateCguTitle: 'Terms of use (version {version}):',
  activateCguAsk: 'Do you accept these terms? [y/N]: ',
  phoneMissingPayload: 'give the QR code content: ecps phone - (then paste it, or send it on standard input), or ecps phone <ecps1:…>',
  phonePayloadTwice: 'the QR code content is read from standard input (-, --payload-stdin): do not give it as an argument too',
  phonePromptPayload: 'QR code content (ecps1:…): ',
  phoneConnected: 'Connected to the computer ({via}).',
  phoneCode: 'Code to type on the computer: {code}',
  phoneCodeConfirmed: 'Code confirmed by the computer.',
  phonePasswordAsked: 'Type the e-CPS password chosen on the computer.',
  phonePromptPassword: 'e-CPS password: ',
  phonePasswordOk: 'Password verified.',
  phonePasswordWrong: 'Password differs from the computer’s: no attempt left. | Password differs from the computer’s: 1 attempt left. | Password differs from the computer’s: {n} attempts left.',
  phoneSmsAsked: 'Type the code received by SMS.',
  phonePromptSms: 'SMS code: ',
  phoneSmsOk: 'SMS code verified.',
  phoneSmsWrong: 'Wrong SMS code: no attempt left. | Wrong SMS code: 1 attempt left. | Wrong SMS code: {n} attempts left.',
  phoneDone: 'e-CPS activated on this phone.',
  phoneClosed: 'The link with the computer was closed ({code} {reason}).',
  phoneCancelled: 'Cancelled.',
  phoneInputEnded: 'Standard input ended before the expected answer.',
  phoneWebListening: 'Reference phone page (demo): {url} (Ctrl-C to stop)',
  phoneWebHint: 'Open {url}#<QR content> on a phone on the same network, or paste the QR code content there.',
  phoneWebOrigin: 'Page origin, to allow on the computer: {origin}',
  phoneWebBadPort: '--port {value}: an integer from 0 to 65535 is expected',
  phoneWebWithPayload: '--web serves the page alone: give no QR code with --web',
  authorityBadPort: '--port {value}: an integer from 0 to 65535 is expected',
  authorityListening: '{label} — listening on {url} (Ctrl-C to stop)',
  authorityRelay: 'Websocket relay: {url}',
  authorityOutbox: 'Outbox (e-mails and SMS): {url}',
  authorityMemoryOnly: 'No --data: activations are kept in memory only.',
};

const catalogues: Record<Lang, Record<MessageKey, string>> = { fr, en };

export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return pluralForm(catalogues[lang][key], lang, params).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/**
 * A message with forms separated by « | » (as in the renderer's vue-i18n locales: « zero | one
 * | many » or « one | many ») takes the form of its `n` or `count` parameter: French uses the
 * singular for 0 and 1, English for 1 only — never « essai(s) » (issue 12 item 12).
 */
function pluralForm(text: string, lang: Lang, params: Record<string, string | number>): string {
  const count = params.n ?? params.count;
  // Only messages counting something have forms; usage lines use « | » for alternatives.
  if (count === undefined || !text.includes(' | ')) return text;
  const forms = text.split(' | ');
  const n = Number(count);
  if (forms.length >= 3 && n === 0) return forms[0] as string;
  const [one, many] = forms.length >= 3 ? [forms[1], forms[2]] : [forms[0], forms[1]];
  const singular = lang === 'fr' ? n < 2 : n === 1;
  return (singular ? one : many) as string;
}

/** The same message in both languages, for an EcpsError. */
export function localized(key: MessageKey, params: Record<string, string | number> = {}): LocalizedText {
  return { fr: t('fr', key, params), en: t('en', key, params) };
}

/** Both catalogues must have the same keys: checked by a unit test. */
export const messageCatalogues = catalogues;
