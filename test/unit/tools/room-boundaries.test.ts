import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import rooms from '../../../tools/eslint-room-boundaries.mjs';

const root = path.resolve(import.meta.dirname, '../../..');

function lint(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { rooms },
        rules: { 'rooms/room-boundaries': ['error', { root }] },
      },
    ],
    { filename: path.join(root, file) },
  );
  return messages.map((m) => m.message);
}

describe('the room-boundary lint rule (architecture.md §2)', () => {
  it('lets native-bindings import pcsc-mini and src-shared', () => {
    expect(lint('native-bindings/pcsc/x.ts', "import 'pcsc-mini'; import '../../src-shared/errors';")).toEqual([]);
  });

  it('keeps pcsc-mini out of every other room', () => {
    for (const file of ['src-main/card/x.ts', 'simulators/cards/x.ts', 'src-renderer/x.ts', 'src-shared/x.ts']) {
      expect(lint(file, "import { Client } from 'pcsc-mini';").join()).toMatch(/may not import the package 'pcsc-mini'/);
    }
  });

  it('keeps Node out of src-shared and the renderer', () => {
    expect(lint('src-shared/x.ts', "import fs from 'node:fs';").join()).toMatch(/runs without Node/);
    expect(lint('src-renderer/x.ts', "import fs from 'fs';").join()).toMatch(/runs without Node/);
  });

  it('refuses an import that climbs into a room it may not enter', () => {
    expect(lint('src-shared/x.ts', "import '../src-main/card/apdu';").join()).toMatch(/src-shared may not import/);
    expect(lint('src-renderer/x.ts', "import '../src-main/cli/main';").join()).toMatch(/src-renderer may not import/);
    expect(lint('native-bindings/pcsc/x.ts', "import '../../simulators/cards/vpcd-bridge';").join()).toMatch(
      /native-bindings may not import/,
    );
  });

  it('lets simulators use the card codecs of src-main/card but not the rest of src-main', () => {
    expect(lint('simulators/cards/x.ts', "import '../../src-main/card/apdu';")).toEqual([]);
    expect(lint('simulators/cards/x.ts', "import '../../src-main/cli/main';").join()).toMatch(/simulators may not import/);
  });

  it('allows electron only in the thin shell adapter of src-main', () => {
    expect(lint('src-main/shell/window.ts', "import { app } from 'electron';")).toEqual([]);
    expect(lint('src-main/card/x.ts', "import { app } from 'electron';").join()).toMatch(/Only src-main\/shell/);
  });

  it('checks dynamic imports and require calls too', () => {
    expect(lint('src-main/x.ts', "const m = await import('pcsc-mini');").join()).toMatch(/pcsc-mini/);
    expect(lint('src-main/x.ts', "const m = require('pcsc-mini');").join()).toMatch(/pcsc-mini/);
  });
});
