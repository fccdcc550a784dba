/** Dotted version numbers compared part by part (`5.2.10` > `5.2.9`); non-digits ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.\-_ ]/).map((p) => Number.parseInt(p.replace(/\D/g, ''), 10) || 0);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** "La Cryptolib CPS version 5.2 est la version minimum nécessaire pour l'accès aux données des cartes CPS4" (ansforge/dops-cryptolib README). */
export const CRYPTOLIB_MIN_CPS4 = '5.2.0';
/** The latest releases published by the ANS (ansforge/dops-cryptolib: Windows 5.2.6, Linux 5.2.4). */
export const CRYPTOLIB_LATEST = { win32: '5.2.6', linux: '5.2.4' } as const;
