/**
 * The network side of an activation: the activation authority answers, the computer's clock
 * agrees with it (certificate and challenge expiry are judged by the authority's clock:
 * src-shared/activation-authority.ts ServerTime), and the pairing port can be opened on the
 * interface chosen for the phone (architecture.md §4: the pairing server listens on ONE
 * interface, on a random port, while the QR is shown).
 */
import net from 'node:net';
import os from 'node:os';
import type { ActivationAuthority } from '../../../src-shared/activation-authority';
import { errorFact } from '../reader-facts';
import { check, joinText, skipped, tx, type CheckResult } from '../types';

const REACHABLE = tx('Autorité d’activation joignable', 'Activation authority reachable');
const CLOCK = tx('Horloge de l’ordinateur', 'Computer clock');
const PAIRING = tx('Port d’appairage du téléphone', 'Phone pairing port');

export interface ClockThresholds {
  warnMs: number;
  failMs: number;
}
/** 1 min: worth a look; 5 min: QR codes (90 s) and challenges expire early or late. */
export const DEFAULT_CLOCK_THRESHOLDS: ClockThresholds = { warnMs: 60_000, failMs: 300_000 };

export async function checkAuthority(authority: ActivationAuthority | undefined, thresholds: ClockThresholds = DEFAULT_CLOCK_THRESHOLDS): Promise<CheckResult[]> {
  if (!authority) {
    const why = tx('Aucune autorité d’activation indiquée (option --authority URL).', 'No activation authority given (--authority URL option).');
    return [skipped('authority.reachable', REACHABLE, why), skipped('authority.clock', CLOCK, why)];
  }
  let description;
  try {
    description = await authority.describe();
  } catch (error) {
    const e = errorFact(error);
    return [
      check('authority.reachable', 'fail', REACHABLE, joinText(tx('L’autorité d’activation ne répond pas :', 'The activation authority does not answer:'), e.message), { error: e.code }, {
        remedy: e.remedy ?? tx('Vérifiez la connexion Internet, le proxy et le pare-feu de la pharmacie.', 'Check the Internet connection, the proxy and the pharmacy’s firewall.'),
      }),
      skipped('authority.clock', CLOCK, tx('Autorité injoignable : décalage d’horloge non mesuré.', 'Authority unreachable: clock skew not measured.')),
    ];
  }
  // The in-process sandbox has no address a person can use: say where it runs instead.
  const where = description.url.startsWith('in-process:') ? tx('intégrée au compagnon', 'built into the companion') : tx(description.url, description.url);
  const reached = check('authority.reachable', 'ok', REACHABLE, tx(`L’autorité répond : ${description.label.fr} (${where.fr}).`, `The authority answers: ${description.label.en} (${where.en}).`), { kind: description.kind, transport: description.transport, url: description.url });
  let time;
  try {
    time = await authority.serverTime();
  } catch (error) {
    const e = errorFact(error);
    return [reached, check('authority.clock', 'warn', CLOCK, joinText(tx('Heure du serveur non lue :', 'Server time not read:'), e.message), { error: e.code })];
  }
  const skew = Math.abs(time.skewMs);
  const evidence = { serverTime: time.serverTime, skewMs: time.skewMs, warnMs: thresholds.warnMs, failMs: thresholds.failMs };
  const seconds = Math.round(time.skewMs / 1000);
  const remedy = tx('Réglez la date et l’heure automatiquement (synchronisation NTP : « timedatectl set-ntp true » sous Linux, Paramètres → Heure sous Windows).', 'Set date and time automatically (NTP sync: "timedatectl set-ntp true" on Linux, Settings → Time on Windows).');
  if (skew >= thresholds.failMs) {
    return [reached, check('authority.clock', 'fail', CLOCK, tx(`L’horloge de l’ordinateur est décalée de ${seconds} s par rapport à l’autorité : les QR codes et défis expireront trop tôt ou trop tard.`, `The computer clock is ${seconds} s off the authority’s: QR codes and challenges will expire too early or too late.`), evidence, { remedy })];
  }
  if (skew >= thresholds.warnMs) {
    return [reached, check('authority.clock', 'warn', CLOCK, tx(`L’horloge est décalée de ${seconds} s par rapport à l’autorité.`, `The clock is ${seconds} s off the authority’s.`), evidence, { remedy })];
  }
  return [reached, check('authority.clock', 'ok', CLOCK, tx(`Horloge à l’heure (écart ${seconds} s).`, `Clock on time (${seconds} s off).`), evidence)];
}

export interface PairingTarget {
  /** Interface address the pairing server will bind; default: first non-internal IPv4. */
  address?: string;
  /** Default 0 (random, as the pairing listener does). */
  port?: number;
  timeoutMs?: number;
}

/** The first non-internal IPv4 address (what the phone on the pharmacy Wi-Fi would reach), else 127.0.0.1. */
export function defaultPairingAddress(interfaces = os.networkInterfaces()): { address: string; interface: string } {
  for (const [name, addresses] of Object.entries(interfaces)) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { address: v4.address, interface: name };
  }
  return { address: '127.0.0.1', interface: 'lo' };
}

export async function checkPairingPort(target: PairingTarget = {}): Promise<CheckResult> {
  const chosen = target.address ? { address: target.address, interface: null } : defaultPairingAddress();
  const evidence: Record<string, string | number | boolean | null> = { address: chosen.address, interface: chosen.interface, requestedPort: target.port ?? 0 };
  const server = net.createServer((socket) => socket.end());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: chosen.address, port: target.port ?? 0, exclusive: true }, () => resolve());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    evidence.bindError = code;
    const explanation = code === 'EADDRINUSE'
      ? tx(`Le port ${target.port} est déjà utilisé sur ${chosen.address} par une autre application.`, `Port ${target.port} is already used on ${chosen.address} by another application.`)
      : tx(`Impossible d’ouvrir un port sur l’adresse ${chosen.address} (${code}).`, `Cannot open a port on address ${chosen.address} (${code}).`);
    return check('pairing.port', 'fail', PAIRING, explanation, evidence, {
      remedy: tx('Choisissez une autre interface réseau (celle du Wi-Fi de la pharmacie) ou un autre port ; fermez l’application qui occupe le port.', 'Choose another network interface (the pharmacy Wi-Fi one) or another port; close the application using the port.'),
    });
  }
  const port = (server.address() as net.AddressInfo).port;
  evidence.port = port;
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = net.createConnection({ host: chosen.address, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
      }, target.timeoutMs ?? 2000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    evidence.connected = true;
    return check('pairing.port', 'ok', PAIRING, tx(`Un port d’appairage s’ouvre et répond sur ${chosen.address}:${port}. Si le téléphone ne se connecte pas, vérifiez qu’il est sur le même Wi-Fi (sans « isolation des clients »).`, `A pairing port opens and answers on ${chosen.address}:${port}. If the phone does not connect, check it is on the same Wi-Fi (without "client isolation").`), evidence);
  } catch (error) {
    evidence.connected = false;
    evidence.connectError = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return check('pairing.port', 'fail', PAIRING, tx(`Le port d’appairage s’ouvre sur ${chosen.address}:${port} mais refuse les connexions : un pare-feu le bloque probablement.`, `The pairing port opens on ${chosen.address}:${port} but refuses connections: a firewall probably blocks it.`), evidence, {
      remedy: tx('Autorisez le Compagnon e-CPS dans le pare-feu pour les réseaux privés (Windows : Pare-feu Windows Defender → Autoriser une application ; Linux : « sudo ufw allow from <réseau local> » ou règle nftables équivalente).', 'Allow the e-CPS companion in the firewall for private networks (Windows: Windows Defender Firewall → Allow an app; Linux: "sudo ufw allow from <local network>" or an equivalent nftables rule).'),
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
