import type { ESLint } from 'eslint';

export const ROOMS: Record<string, unknown>;
declare const plugin: ESLint.Plugin;
export default plugin;
