/** Fakes for the diagnostics tests: a PC/SC port that is down, fake sysfs trees, galss.ini fixtures. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReaderPort, ReaderSnapshot } from '../../../src-shared/reader-port';
import { createDemoReader, createVirtualCard, createVirtualCardWithCredentials } from '../../../simulators/cards/catalog';
import type { CpsVariant } from '../../../simulators/cards/cps-catalog';
import type { InProcessReader } from '../../../simulators/cards/in-process-reader';
import type { DiagnosticsOptions } from '../../../src-main/diagnostics/run';

export const SLOT0 = 'Lecteur virtuel Compagnon e-CPS 00 00';
export const SLOT1 = 'Lecteur virtuel Compagnon e-CPS 00 01';

/** A PC/SC port whose service is down (or up with the given readers and no card behaviour). */
export function fakePcscPort(options: { up: boolean; readers?: ReaderSnapshot[] }): ReaderPort {
  return {
    kind: 'pcsc',
    start: async () => undefined,
    stop: async () => undefined,
    readers: () => (options.up ? options.readers ?? [] : []),
    serviceAvailable: () => options.up,
    onEvent: () => () => undefined,
    connect: async () => {
      throw new Error('not used');
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A fake /sys/bus/usb/devices with one device per entry (interface 1.0 of the given class). */
export function fakeSysfs(devices: { id: string; vendorId: string; productId: string; product?: string; manufacturer?: string; interfaceClass?: string }[]): string {
  const root = tempDir('ecps-sysfs-');
  for (const d of devices) {
    const dir = path.join(root, d.id);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'idVendor'), `${d.vendorId}\n`);
    writeFileSync(path.join(dir, 'idProduct'), `${d.productId}\n`);
    if (d.product) writeFileSync(path.join(dir, 'product'), `${d.product}\n`);
    if (d.manufacturer) writeFileSync(path.join(dir, 'manufacturer'), `${d.manufacturer}\n`);
    const iface = path.join(root, `${d.id}:1.0`);
    mkdirSync(iface);
    writeFileSync(path.join(iface, 'bInterfaceClass'), `${d.interfaceClass ?? 'ff'}\n`);
  }
  return root;
}

/** A galss.ini fixture in its own folder; returns the location options for runDiagnostics. */
export function galssFixture(text: string | undefined, installed = true): NonNullable<DiagnosticsOptions['galss']> {
  const dir = tempDir('ecps-galss-');
  const install = path.join(dir, 'galss');
  if (installed) mkdirSync(install);
  const ini = path.join(dir, 'galss.ini');
  if (text !== undefined) writeFileSync(ini, text, 'latin1');
  return { installDirs: [install], iniPaths: [ini] };
}

export function galssIni(canal1: string, canal2: string): string {
  return `; galss.ini de test\r\n[GALSS]\r\nNbCanaux=2\r\n[CANAL1]\r\nProtocole=PCSC\r\nCaracteristiques=${canal1}\r\n[CANAL2]\r\nProtocole=PCSC\r\nCaracteristiques=${canal2}\r\n`;
}

/** The in-process dual-slot reader with what we put in each slot (`null` = empty). */
export async function demoReader(slot0: 'cps3' | 'cps4' | 'vitale2' | 'bank' | null, slot1: 'cps3' | 'vitale2' | null, variant?: CpsVariant): Promise<InProcessReader> {
  const make = async (kind: 'cps3' | 'cps4' | 'vitale2' | 'bank' | null) =>
    kind === null ? null : kind === 'cps3' || kind === 'cps4' ? createVirtualCardWithCredentials(kind, variant ? { variant } : {}) : createVirtualCard(kind);
  const reader = createDemoReader({ cps: await make(slot0), vitale: await make(slot1) });
  await reader.start();
  return reader;
}

/** Options that keep a unit test off the real machine: no USB, no GALSS, no authority, no pairing. */
export function isolated(port: ReaderPort, extra: Partial<DiagnosticsOptions> = {}): DiagnosticsOptions {
  return {
    port,
    demo: port.kind === 'simulator',
    usb: () => ({ supported: true, devices: [] }),
    galss: { installDirs: [], iniPaths: [] },
    pairing: false,
    platform: { platform: 'linux', pcscService: async () => ({ platform: 'linux', processRunning: false, socketPath: '/run/pcscd/pcscd.comm', socketPresent: false }) },
    ...extra,
  };
}
