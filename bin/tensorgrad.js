#!/usr/bin/env node
// The `tensorgrad` command. The sources are TypeScript, so register tsx's ESM loader first,
// then run the CLI. (tsx must be installed alongside tensorgrad: it is a runtime dependency.)
import { register } from 'tsx/esm/api';

register();
const { run, exitQuietlyOnClosedPipe } = await import('../src/cli/main.ts');
exitQuietlyOnClosedPipe();
process.exitCode = await run(process.argv.slice(2));
