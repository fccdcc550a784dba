#!/usr/bin/env node
// Entry point of the `ecps` CLI: runs the TypeScript sources through tsx, so a checkout
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
