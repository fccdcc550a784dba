/**
 * Reading a small text file the user (or anyone with write access to their profile) controls:
 * settings.json, the remembered reader strategies. `readFileSync` reads until end of file —
 * settings.json as a symlink to /dev/zero or /dev/urandom never ends (2.9 GB of RSS in 20 s,
 * the app never started: issue 13 #11), a FIFO blocks for ever. So: open without blocking,
 * refuse anything but a regular file, and never read more than `maxBytes`.
 * A UTF-8 byte order mark (Windows Notepad writes one) is dropped: JSON.parse refuses it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type SmallFileProblem = 'not-regular' | 'too-large';

/** Thrown for a file that exists but must not be read; `code` as on Node's errors. */
export class SmallFileRefused extends Error {
  readonly code: 'ENOTREGULAR' | 'EFBIG';
  constructor(
    readonly problem: SmallFileProblem,
    readonly file: string,
  ) {
    super(problem === 'not-regular' ? `${file} is not a regular file` : `${file} is too large`);
    this.name = 'SmallFileRefused';
    this.code = problem === 'not-regular' ? 'ENOTREGULAR' : 'EFBIG';
  }
}

// O_NONBLOCK: opening a FIFO must not wait for a writer (absent on Windows, where it cannot happen).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The file's text (BOM dropped); throws Node's error (ENOENT…) or SmallFileRefused. */
export function readSmallTextFile(file: string, maxBytes: number): string {
  const fd = openSync(file, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SmallFileRefused('not-regular', file);
    if (st.size > maxBytes) throw new SmallFileRefused('too-large', file);
    // Read at most maxBytes + 1 whatever the size said (a file may grow while read).
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new SmallFileRefused('too-large', file);
    }
    const text = buffer.subarray(0, length).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}
