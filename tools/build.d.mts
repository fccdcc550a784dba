export const ELECTRON_SIDE_FILES: ReadonlyArray<{ from: string; to: string }>;
export function buildTargets(targets: readonly string[], options?: { root?: string; log?: (line: string) => void }): Promise<void>;
