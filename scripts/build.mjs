// `npm run build` (also `prepare`, so installs from git and `npm pack` build too): compiles
// src/ with tsc into dist/ as ESM JavaScript, .d.ts declarations and source maps.
//
// Why tsc and not a bundler: the output mirrors src/ file for file, so `tensorgrad/core`
// loads only the modules it imports (no Node-only data/CLI code in a browser bundle), each
// .js has its own source map into the shipped src/, and the declarations come from the
// compiler that type-checks the project (no extra d.ts bundler). Measured on this machine:
// tsc ≈ 6 s of CPU for the whole tree, esbuild ≈ 0.3 s for the JavaScript alone, but esbuild
// still needs tsc for the declarations, so the bundler would save nothing that matters.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build: tsc failed (see above); dist/ is incomplete');
  process.exit(r.status ?? 1);
}

// The wasm binaries are base64 string constants; tsc would declare each as its literal type,
// repeating ~22 KB per build in the .d.ts. Consumers need only `string`.
let shrunk = 0;
for (const file of walk(dist)) {
  if (!/binary[\w-]*\.d\.ts$/.test(file)) continue;
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/export declare const (\w+) = "[A-Za-z0-9+/=]*";/g, 'export declare const $1: string;');
  if (out !== text) {
    writeFileSync(file, out);
    shrunk++;
  }
}
console.error(`build: dist/ written (${shrunk} wasm-binary declarations reduced to string)`);

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}
