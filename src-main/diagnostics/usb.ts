/**
 * USB enumeration, to find devices that look like card readers but that PC/SC does not show
 * (a SESAM-Vitale reader left in PSS mode, a missing vendor driver). Linux: sysfs
 * (`/sys/bus/usb/devices/<dev>/idVendor`, `idProduct`, `manufacturer`, `product`, and the
 * interfaces' `bInterfaceClass`: 0B = Smart Card / CCID, USB-IF class codes). The root folder
 * is injectable: tests give a fake sysfs tree. Other systems: not enumerated (yet).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface UsbDevice {
  /** sysfs name, e.g. `1-2`. */
  id: string;
  vendorId: string;
  productId: string;
  manufacturer?: string;
  product?: string;
  /** One of its interfaces has class 0B (CCID). */
  ccid: boolean;
}

export interface UsbEnumeration {
  supported: boolean;
  /** Why not: another system (not enumerated yet), or Linux without a readable sysfs (a container…). */
  unsupportedBecause?: 'platform' | 'no-sysfs';
  devices: UsbDevice[];
  root?: string;
}

const CCID_CLASS = '0b';

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function enumerateUsb(root = '/sys/bus/usb/devices', platform: NodeJS.Platform = process.platform): UsbEnumeration {
  if (platform !== 'linux') return { supported: false, unsupportedBecause: 'platform', devices: [] };
  if (!existsSync(root)) return { supported: false, unsupportedBecause: 'no-sysfs', devices: [], root };
  const devices: UsbDevice[] = [];
  const entries = readdirSync(root);
  for (const name of entries) {
    if (name.includes(':')) continue; // an interface, not a device
    const dir = path.join(root, name);
    const vendorId = read(path.join(dir, 'idVendor'));
    const productId = read(path.join(dir, 'idProduct'));
    if (!vendorId || !productId) continue;
    const ccid = entries.some((e) => e.startsWith(`${name}:`) && read(path.join(root, e, 'bInterfaceClass'))?.toLowerCase() === CCID_CLASS);
    const manufacturer = read(path.join(dir, 'manufacturer'));
    const product = read(path.join(dir, 'product'));
    devices.push({
      id: name,
      vendorId: vendorId.toLowerCase(),
      productId: productId.toLowerCase(),
      ...(manufacturer ? { manufacturer } : {}),
      ...(product ? { product } : {}),
      ccid,
    });
  }
  return { supported: true, devices, root };
}
