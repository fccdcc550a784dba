import type { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isEcpsError } from '../../../src-shared/errors';
import { automaticAddress, checkPairingAddress, listPairingInterfaces, resolvePairingAddress } from '../../../src-main/settings/network';

type Info = NonNullable<ReturnType<typeof networkInterfaces>[string]>[number];
const v4 = (address: string, internal = false): Info => ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null });
const v6 = (address: string, internal = false): Info => ({ address, family: 'IPv6', internal, netmask: 'ffff::', mac: '00:00:00:00:00:00', cidr: null, scopeid: 0 });

const machine = () => ({
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  wlan0: [v6('fe80::1'), v6('fd00::2'), v4('192.168.1.20')],
  eth0: [v4('10.0.0.5')],
});

describe('pairing network interfaces', () => {
  it('lists the non-internal IPv4 and IPv6 addresses, without loopback nor link-local IPv6', () => {
    expect(listPairingInterfaces(machine)).toEqual([
      { name: 'wlan0', address: 'fd00::2', family: 'IPv6' },
      { name: 'wlan0', address: '192.168.1.20', family: 'IPv4' },
      { name: 'eth0', address: '10.0.0.5', family: 'IPv4' },
    ]);
  });

  it('"automatique" is the first non-internal IPv4 (as ecps activate), else loopback', () => {
    expect(automaticAddress(listPairingInterfaces(machine))).toBe('192.168.1.20');
    expect(automaticAddress(listPairingInterfaces(() => ({ lo: [v4('127.0.0.1', true)] })))).toBe('127.0.0.1');
  });

  it('a chosen address is used while it exists; gone, "auto" takes over', () => {
    const list = listPairingInterfaces(machine);
    expect(resolvePairingAddress('10.0.0.5', list)).toEqual({ address: '10.0.0.5', fellBack: false });
    expect(resolvePairingAddress('loopback', list)).toEqual({ address: '127.0.0.1', fellBack: false });
    expect(resolvePairingAddress('auto', list)).toEqual({ address: '192.168.1.20', fellBack: false });
    expect(resolvePairingAddress('172.16.0.9', list)).toEqual({ address: '192.168.1.20', fellBack: true });
  });

  it('choosing an address the machine does not have is refused with a code', () => {
    const list = listPairingInterfaces(machine);
    expect(checkPairingAddress('fd00::2', list)).toBe('fd00::2');
    let caught: unknown;
    try {
      checkPairingAddress('8.8.8.8', list);
    } catch (error) {
      caught = error;
    }
    expect(isEcpsError(caught, 'SettingsPairingAddressUnknown')).toBe(true);
  });
});
