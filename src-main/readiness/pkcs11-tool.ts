/**
 * Listing a token and its certificates through a PKCS#11 module with OpenSC's `pkcs11-tool`
 * (Debian package opensc): the same module file the browser loads, the same PC/SC reader.
 * Public objects only — no login, so no PIN is ever asked or sent (OpenSC reads the PIN
 * counter with an empty VERIFY, which spends no try).
 *
 * `pkcs11-tool --module M --list-slots` (0.23):
 *   Slot 0 (0x0): Virtual PCD 00 00
 *     token label        : CPS (Code porteur)
 *     …                              or   (token not recognized)   or   (empty)
 * `pkcs11-tool --module M --slot 0x0 --list-objects --type cert`:
 *   Certificate Object; type = X.509 cert
 *     label:      Certificat d'Authentification CPS
 *     subject:    DN: C=FR/title=Pharmacien, CN=…
 *     serial:     01BF7A5A…
 *     ID:         e828bd08…
 */
import type { CommandRunner } from './command-runner';

export interface Pkcs11Slot {
  /** As pkcs11-tool prints it: `0x0`. */
  id: string;
  reader: string;
  token: 'present' | 'not-recognized' | 'empty';
  label?: string;
}

export interface Pkcs11Certificate {
  label?: string;
  subject?: string;
  serial?: string;
}

export function parseSlotList(text: string): Pkcs11Slot[] {
  const slots: Pkcs11Slot[] = [];
  let current: Pkcs11Slot | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const head = /^Slot\s+\d+\s+\((0x[0-9a-fA-F]+)\):\s*(.*?)\s*$/.exec(line);
    if (head) {
      current = { id: head[1]!, reader: head[2]!, token: 'present' };
      slots.push(current);
      continue;
    }
    if (!current) continue;
    if (/\(token not recognized\)/i.test(line)) current.token = 'not-recognized';
    else if (/^\s*\(empty\)\s*$/i.test(line)) current.token = 'empty';
    const label = /^\s*token label\s*:\s*(.*?)\s*$/.exec(line);
    if (label) current.label = label[1]!;
  }
  return slots;
}

export function parseCertificateObjects(text: string): Pkcs11Certificate[] {
  const certs: Pkcs11Certificate[] = [];
  let current: Pkcs11Certificate | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (/^Certificate Object;/.test(line)) {
      current = {};
      certs.push(current);
      continue;
    }
    if (/^\S/.test(line)) current = undefined;
    if (!current) continue;
    const field = /^\s+(label|subject|serial):\s*(.*?)\s*$/.exec(line);
    if (field) current[field[1] as 'label' | 'subject' | 'serial'] = field[2]!;
  }
  return certs;
}

/** Serial numbers compared as numbers: case and leading zeros do not matter. */
export function sameSerial(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-fA-F]/g, '').replace(/^0+/, '').toUpperCase();
  return a !== undefined && b !== undefined && norm(a) !== '' && norm(a) === norm(b);
}

export interface ModuleView {
  library: string;
  /** pkcs11-tool could not run (not installed, module not loadable…). */
  error?: string;
  toolMissing?: boolean;
  slot?: Pkcs11Slot;
  certificates: Pkcs11Certificate[];
  /** The card's authentication certificate is among them. */
  certificateVisible: boolean;
}

const TIMEOUT_MS = 20_000;

/** What one module shows of the card in `reader` (no login). */
export async function viewThroughModule(run: CommandRunner, library: string, reader: string | undefined, certificateSerial: string | undefined): Promise<ModuleView> {
  const slots = await run('pkcs11-tool', ['--module', library, '--list-slots'], { timeoutMs: TIMEOUT_MS });
  if (slots.missing) return { library, toolMissing: true, certificates: [], certificateVisible: false };
  if (slots.code !== 0) return { library, error: lastLine(slots.stderr || slots.stdout) || `pkcs11-tool exit ${slots.code ?? 'killed'}`, certificates: [], certificateVisible: false };
  const list = parseSlotList(slots.stdout);
  const slot = (reader ? list.find((s) => s.reader === reader) ?? list.find((s) => s.reader.includes(reader) || reader.includes(s.reader)) : undefined) ?? list.find((s) => s.token === 'present');
  if (!slot || slot.token !== 'present') return { library, ...(slot ? { slot } : {}), certificates: [], certificateVisible: false };
  const objects = await run('pkcs11-tool', ['--module', library, '--slot', slot.id, '--list-objects', '--type', 'cert'], { timeoutMs: TIMEOUT_MS });
  if (objects.code !== 0) return { library, slot, error: lastLine(objects.stderr || objects.stdout) || 'pkcs11-tool failed', certificates: [], certificateVisible: false };
  const certificates = parseCertificateObjects(objects.stdout);
  return { library, slot, certificates, certificateVisible: certificates.some((c) => sameSerial(c.serial, certificateSerial)) };
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim().slice(0, 300) ?? '';
}
