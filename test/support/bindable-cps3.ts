/**
 * THE ONE place that says which virtual CPS3 OpenSC's PKCS#11 module can bind (tests that need
 * the card's certificate visible through opensc-pkcs11.so, as a browser would see it).
 *
 * Today the default virtual CPS3 does not bind in OpenSC (`pkcs11-tool -L`: "token not
 * recognized"); the `efDirPaths` variant does (test/integration/opensc-interop.test.ts). Issue 10
 * item 3 (branch h10-card) makes the DEFAULT card bind: at merge, replace the body with
 * `createCps3(options)` (or the catalogue's default card) and every test follows.
 */
import { withSandboxCredentials, type CpsCardOptions } from '../../simulators/cards/cps-catalog';
import { createCps3 } from '../../simulators/cards/cps3';
import type { VirtualCard } from '../../simulators/cards/virtual-card';

export async function createBindableCps3(options: CpsCardOptions = {}): Promise<VirtualCard> {
  const withCredentials = await withSandboxCredentials(options);
  return createCps3({ ...withCredentials, efDirPaths: true });
}
