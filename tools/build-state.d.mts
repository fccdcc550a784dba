export const ROOT: string;
export const STATE_FILE: string;
export const TARGETS: readonly string[];
export interface BuildState {
  version: 1;
  targets: Record<string, { inputs: Record<string, [number, number]>; outputs: string[]; builtAt: string }>;
}
export function readState(root?: string): BuildState | undefined;
export function fingerprint(file: string): [number, number] | undefined;
export function staleReason(target: string, root?: string, state?: BuildState): string | undefined;
export function staleTargets(targets?: readonly string[], root?: string): string[];
export function ensureBuilt(
  targets: readonly string[],
  options?: { root?: string; force?: boolean; log?: (line: string) => void; buildTargets?: (targets: string[], options: { root: string; log?: (line: string) => void }) => Promise<void> },
): Promise<string[]>;
