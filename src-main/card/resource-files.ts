/**
 * Reads the card knowledge bases kept as data in `resources/` (architecture.md §2).
 * Read with `fs` rather than imported: the lint room rule lets src-main import code rooms
 * only, and data files stay editable by support staff without touching code.
 */
import { readFileSync } from 'node:fs';

export function readResourceJson(relativePath: string): unknown {
  const url = new URL(`../../resources/${relativePath}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}
