import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { optionalDependencies?: Record<string, string>; os?: string[] }>;
};

describe('package-lock.json', () => {
  it('lists every pcsc-mini platform package, or `npm ci` refuses the lock (run tools/lock-pcsc-platforms.mjs)', () => {
    const optional = Object.keys(lock.packages['node_modules/pcsc-mini']?.optionalDependencies ?? {});
    expect(optional.length).toBeGreaterThan(0);
    const missing = optional.filter((name) => !lock.packages[`node_modules/${name}`]);
    expect(missing).toEqual([]);
    for (const name of optional) expect(lock.packages[`node_modules/${name}`]?.os?.length).toBeGreaterThan(0);
  });
});
