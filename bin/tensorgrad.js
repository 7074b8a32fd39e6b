#!/usr/bin/env node
// The `tensorgrad` command: plain JavaScript that runs the compiled CLI in dist/ (built by
// `npm run build`, which `npm pack` and installs from git run through `prepare`). No tsx at
// run time; in a clone, `npm start` / `npx tsx src/cli/main.ts` run the sources directly.
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('tensorgrad: dist/ is missing: run `npm run build` in the tensorgrad folder first\n');
    process.exit(1);
  }
  throw e;
}
cli.exitQuietlyOnClosedPipe();
process.exitCode = await cli.run(process.argv.slice(2));
