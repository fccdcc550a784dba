/**
 * The user's personal certificate store (CurrentUser\My), as two Windows tools print it:
 * - PowerShell (windows-probe.ts POWERSHELL_CERTIFICATES): JSON, one object or an array
 *   (ConvertTo-Json does not wrap a single item), nothing at all for an empty store; dates as
 *   ISO 8601 ('o'), or "/Date(ms)/" from an older serializer;
 * - `certutil -user -store My`: blocks "================ Certificate N ================" with
 *   "Serial Number:", "Issuer:", " NotBefore:", " NotAfter:", "Subject:" — French Windows:
 *   "Certificat N", "Numéro de série :", "Émetteur:", "Objet:", dates day first.
 */

export interface StoreCertificate {
  subject: string;
  issuer: string;
  issuerCommonName?: string;
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  hasPrivateKey?: boolean;
}

function commonName(dn: string): string | undefined {
  return /(?:^|,\s*)CN=([^,+]+)/.exec(dn)?.[1]?.trim();
}

function psDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = /\/Date\((-?\d+)\)\//.exec(value)?.[1];
  const date = ms !== undefined ? new Date(Number(ms)) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "12/03/2026 10:15" (day first on French Windows, month first on US English). */
function certutilDate(value: string, dayFirst: boolean): string | undefined {
  const m = /(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?/.exec(value);
  if (!m) return undefined;
  const [d, mo] = dayFirst ? [Number(m[1]), Number(m[2])] : [Number(m[2]), Number(m[1])];
  const date = new Date(Date.UTC(Number(m[3]), mo - 1, d, Number(m[4] ?? 0), Number(m[5] ?? 0)));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function parseStoreCertificates(text: string, source: 'powershell' | 'certutil'): StoreCertificate[] {
  return source === 'powershell' ? parsePowerShell(text) : parseCertutil(text);
}

function parsePowerShell(text: string): StoreCertificate[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return [];
  }
  const items = Array.isArray(json) ? json : [json];
  return items
    .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object')
    .map((x) => {
      const issuer = String(x.Issuer ?? '');
      const notBefore = psDate(x.NotBefore);
      const notAfter = psDate(x.NotAfter);
      const cn = commonName(issuer);
      return {
        subject: String(x.Subject ?? ''),
        issuer,
        ...(cn ? { issuerCommonName: cn } : {}),
        ...(typeof x.SerialNumber === 'string' ? { serialNumber: x.SerialNumber } : {}),
        ...(notBefore ? { notBefore } : {}),
        ...(notAfter ? { notAfter } : {}),
        ...(typeof x.HasPrivateKey === 'boolean' ? { hasPrivateKey: x.HasPrivateKey } : {}),
      };
    });
}

function parseCertutil(text: string): StoreCertificate[] {
  const dayFirst = /Certificat \d|Numéro de série|Émetteur|Objet\s*:/i.test(text);
  const blocks = text.replace(/\r\n/g, '\n').split(/^=+\s*Certifi(?:cate|cat)\s+\d+\s*=+\s*$/m).slice(1);
  return blocks.map((block) => {
    const field = (re: RegExp) => re.exec(block)?.[1]?.trim();
    const issuer = field(/^(?:Issuer|Émetteur|Emetteur)\s*:\s*(.*)$/im) ?? '';
    const subject = field(/^(?:Subject|Objet)\s*:\s*(.*)$/im) ?? '';
    const serial = field(/^(?:Serial Number|Numéro de série)\s*:\s*(.*)$/im);
    const notBefore = field(/^\s*NotBefore\s*:\s*(.*)$/im);
    const notAfter = field(/^\s*NotAfter\s*:\s*(.*)$/im);
    const cn = commonName(issuer);
    const nb = notBefore ? certutilDate(notBefore, dayFirst) : undefined;
    const na = notAfter ? certutilDate(notAfter, dayFirst) : undefined;
    return {
      subject,
      issuer,
      ...(cn ? { issuerCommonName: cn } : {}),
      ...(serial ? { serialNumber: serial.replace(/\s+/g, '') } : {}),
      ...(nb ? { notBefore: nb } : {}),
      ...(na ? { notAfter: na } : {}),
    };
  });
}
