#!/usr/bin/env node
// Entry point of the `morphsweep` command: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
process.env.CHECKPOINT_DISABLE ??= '1';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
