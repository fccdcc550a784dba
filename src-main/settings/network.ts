/**
 * The addresses the phone pairing server may listen on (architecture.md §4: one interface,
 * only while a QR is shown). "auto" is what `ecps activate` picks: the first non-internal IPv4
 * (what a phone on the same Wi-Fi reaches), else loopback. IPv6 link-local addresses (fe80::/10)
 * are left out: they need a zone id (`%eth0`) that a QR code read on a phone cannot use.
 */
import { networkInterfaces } from 'node:os';
import { settingsError } from './errors';

export type NetworkInterfacesSource = () => ReturnType<typeof networkInterfaces>;

export interface PairingInterface {
  name: string;
  address: string;
  family: 'IPv4' | 'IPv6';
}

export const LOOPBACK_ADDRESS = '127.0.0.1';

export function listPairingInterfaces(source: NetworkInterfacesSource = networkInterfaces): PairingInterface[] {
  const out: PairingInterface[] = [];
  for (const [name, list] of Object.entries(source())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      const family = a.family === 'IPv4' || (a.family as unknown) === 4 ? 'IPv4' : 'IPv6';
      if (family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.push({ name, address: a.address, family });
    }
  }
  return out;
}

/** The first non-internal IPv4 address, else loopback. */
export function automaticAddress(interfaces: readonly PairingInterface[]): string {
  return interfaces.find((i) => i.family === 'IPv4')?.address ?? LOOPBACK_ADDRESS;
}

/** A setting checked against the machine now: 'auto', 'loopback' or one of its addresses. */
export function checkPairingAddress(value: string, interfaces: readonly PairingInterface[]): string {
  if (value === 'auto' || value === 'loopback') return value;
  if (interfaces.some((i) => i.address === value)) return value;
  throw settingsError('SettingsPairingAddressUnknown', { value });
}

/**
 * The address the pairing server binds to. A saved address that left the machine (laptop on
 * another network) falls back to "auto" rather than failing the activation.
 */
export function resolvePairingAddress(setting: string, interfaces: readonly PairingInterface[]): { address: string; fellBack: boolean } {
  if (setting === 'loopback') return { address: LOOPBACK_ADDRESS, fellBack: false };
  if (setting !== 'auto' && interfaces.some((i) => i.address === setting)) return { address: setting, fellBack: false };
  return { address: automaticAddress(interfaces), fellBack: setting !== 'auto' };
}
