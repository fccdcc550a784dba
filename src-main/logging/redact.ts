/**
 * The redaction pass every log line goes through (architecture.md §4: no PIN, PUK, password or
 * token in any log). Two nets, because callers make mistakes:
 *   1. by KEY: a field whose name contains a secret's word (pin, puk, password, token, secret,
 *      payload, qr…) loses its value whatever it is;
 *   2. by VALUE: in every string (messages, stacks, URLs), what looks like a secret is cut out —
 *      `token=…` (the web shell's `#token=`), `ecps1:` QR payloads, a 4–8 digit value after
 *      "pin"/"code"/"password"… even a few words later ("Code porteur refusé (1238)") or with
 *      spaces inside ("PIN: 12 39"), a lone 6-digit number (the phone's code), a string that
 *      is nothing but 4–8 digits (`{ line: "1242" }`, an argv entry), the data of VERIFY /
 *      CHANGE / RESET RETRY COUNTER APDUs, bearer tokens, long hex runs and long base64url runs
 *      (keys, the web shell token, the pairing token);
 *   3. by SHAPE: a decoded QR object (`{ d, t, k, x }`) loses its token, key and relay session;
 *      in an argv array, the value after `--pin`, `--password`, `--token`… is cut.
 * Over-redacting a harmless value is accepted; under-redacting is the bug (issue 13 #10).
 */

export const REDACTED = '[redacted]';

/** Words that make a field secret when they appear in its name (camelCase, snake_case, kebab-case). */
const SECRET_WORDS = new Set([
  'pin',
  'pins',
  'puk',
  'password',
  'passwords',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'tokens',
  'payload',
  'qr',
  'qrcode',
  'cookie',
  'authorization',
  'otp',
  'sms',
  'cvc',
  'mdp',
]);

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  // "motDePasse", "mot_de_passe", "code_porteur", "codeDeblocage"
  const joined = words.join('');
  return /motdepasse|codeporteur|codedeblocage|codepin/.test(joined);
}

/** Separators inside a label: "mot de passe", "mot_de_passe", "mot-de-passe", "motdepasse". */
const SEP = String.raw`[\s_-]*`;
const LABEL = String.raw`(?:pin|puk|code(?:${SEP}(?:porteur|pin|de${SEP}d[ée]blocage))?|pass(?:word|phrase|code)?|passwd|pwd|mot${SEP}de${SEP}passe|mdp|otp)`;
/** The labels that name a secret for sure (not bare "code": "status code 9000" is a fact). */
const SECRET_LABEL = String.raw`(?:pin|puk|code${SEP}(?:porteur|pin|de${SEP}d[ée]blocage|sms|du${SEP}t[ée]l[ée]phone)|pass(?:word|phrase|code)?|passwd|pwd|mot${SEP}de${SEP}passe|mdp|otp)`;
/** 4 to 8 digits, possibly split by single spaces, dots or dashes ("12 39", "4829"). */
const DIGITS = String.raw`\d(?:[ .-]?\d){3,7}(?!\d)`;

const VALUE_RULES: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // The web shell token and any token/secret parameter in a URL, a text or an argv (`--pin=…`).
  [
    new RegExp(String.raw`((?:^|[#?&\s"'(,;-])(?:access_|id_|refresh_)?(?:token|secret|${LABEL}|code)=)[^&\s#"',;)]*`, 'gi'),
    `$1${REDACTED}`,
  ],
  // QR payloads of the pairing (`ecps1:…`) whatever follows.
  [/ecps1:[^\s"'<>]*/gi, `ecps1:${REDACTED}`],
  // "Authorization: Bearer …"
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/-]+=*/gi, `$1 ${REDACTED}`],
  // "pin: 1234", "PIN=0000", "code porteur 1234", "password \"1234\"", "pin":"1234", "PIN: 12 39"
  // (no word boundaries: "Apin: 0000A" is cut too — over-redacting is the safe side)
  [new RegExp(String.raw`(${LABEL}["']?\s*(?:[:=]|\bis\b|\best\b)?\s*["']?)(?:${DIGITS}|\d{9,})`, 'gi'), `$1${REDACTED}`],
  // A few words between the label and the digits: "Code porteur refusé (1238)", "PIN was 1234"
  // (the label as a word of its own, the digits in one run: "PIN … Virtual PCD 00 00" stays).
  [new RegExp(String.raw`((?<![a-z])${SECRET_LABEL}[^\d\n]{1,30}?)(?<!\w)\d{4,8}(?!\d)`, 'gi'), `$1${REDACTED}`],
  // VERIFY (20), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C): keep the header, cut the data.
  [/\b(00\s?(?:20|24|2C)\s?[0-9A-F]{2}\s?[0-9A-F]{2}\s?[0-9A-F]{2})((?:\s?[0-9A-F]{2})+)/gi, `$1 ${REDACTED}`],
  // Long hex runs: keys, the 256-bit web shell token, session secrets.
  [/\b[0-9a-f]{32,}\b/gi, REDACTED],
  // Long base64url runs (the pairing token and keys: 43 characters), with a digit and a letter,
  // so a long word or kebab-case name stays. A canonical UUID (an identifier, never a secret
  // here) stays too.
  [/(?<![A-Za-z0-9_-])(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9_-]))(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])/gi, REDACTED],
  // A lone 6-digit number (the phone's pairing code, an SMS code), "123456" or "123 456".
  [/(?<![\w.:/-])\d{3} ?\d{3}(?![\w.:/-])/g, REDACTED],
];

/** A string that is only a short number: a PIN, a password or a code on its own. */
const ONLY_DIGITS = /^\s*\d(?:[ .-]?\d){3,7}\s*$/;
/** Command-line flags whose next argv entry is a secret. */
const SECRET_FLAG = /^--?(?:pin|puk|new-pin|password|passwd|pwd|token|secret|code|otp|sms|payload|qr)$/i;

const MAX_STRING = 4_000;
const MAX_DEPTH = 6;
const MAX_ENTRIES = 100;

export function redactText(text: string): string {
  if (ONLY_DIGITS.test(text)) return REDACTED;
  let out = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  for (const [pattern, replacement] of VALUE_RULES) out = out.replace(pattern, replacement as string);
  return out;
}

/**
 * A copy of `value` safe to log: secret keys emptied, strings scrubbed, errors turned into
 * plain fields, byte arrays never dumped, cycles and depth cut.
 */
/**
 * The JSON inside an `ecps1:` QR once decoded (src-shared/pairing-protocol.ts encodeQrPayload):
 * `t` the one-time token, `k` the desktop key, `r` the relay session, `d` the endpoint, `x` the expiry.
 */
function looksLikeQr(o: Record<string, unknown>): boolean {
  return 't' in o && ('k' in o || 'd' in o || 'x' in o);
}

export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return '[cycle]';
  if (depth >= MAX_DEPTH) return '[depth]';
  seen.add(value);
  // Bytes may be a PIN block or a key: never written, only their length.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; details?: unknown; cause?: unknown };
    return redact(
      {
        name: e.name,
        message: e.message,
        ...(e.code !== undefined ? { code: e.code } : {}),
        ...(e.details !== undefined ? { details: e.details } : {}),
        ...(e.stack ? { stack: e.stack.split('\n').slice(0, 12).join('\n') } : {}),
        ...(e.cause !== undefined ? { cause: e.cause } : {}),
      },
      depth + 1,
      seen,
    );
  }
  if (Array.isArray(value)) {
    // An argv: the entry after a secret flag goes, whatever it looks like.
    return value.slice(0, MAX_ENTRIES).map((v, i) => (i > 0 && typeof value[i - 1] === 'string' && SECRET_FLAG.test(value[i - 1] as string) ? REDACTED : redact(v, depth + 1, seen)));
  }
  if (value instanceof Map) return redact(Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v])), depth, seen);
  if (value instanceof Set) return redact([...value], depth, seen);
  const out: Record<string, unknown> = {};
  const qrShaped = looksLikeQr(value as Record<string, unknown>);
  for (const [key, v] of Object.entries(value).slice(0, MAX_ENTRIES)) {
    const safeKey = redactText(key);
    const secret =
      isSecretKey(key) ||
      (keyWords(key).includes('code') && /^\s*\d{4,12}\s*$/.test(String(v))) ||
      (qrShaped && (key === 't' || key === 'k' || key === 'r'));
    out[safeKey] = secret && v !== undefined && v !== null && v !== false ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}
