/**
 * Loading a user's module by path, for commands that run the user's code (`tensorgrad
 * gradcheck FILE#EXPORT`). JavaScript files are imported as they are. TypeScript files are
 * loaded, in order of preference, through:
 *
 * 1. `tsx`, when the user's project (or tensorgrad's) has it installed: its loader is
 *    registered for the process and the file imported with a plain `import()`, so the user's
 *    module shares tensorgrad's module instances (tsx's namespaced `tsImport` would load a
 *    second copy of tensorgrad, whose `Tensor` is not ours); it understands all of TypeScript;
 * 2. Node's own type stripping (Node ≥ 22.18, or 22.6+ with `--experimental-strip-types`), or
 *    whatever loader the process already runs under (`node --import tsx`);
 *
 * and otherwise fail with a message saying what to install. Node-only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How a module was loaded. */
export type UserModuleLoader = 'native' | 'tsx';

/** A loaded module: its namespace object and how it was loaded. */
export interface LoadedUserModule {
  /** The module namespace (`import * as m`): its exports by name. */
  exports: Record<string, unknown>;
  /** `'tsx'` when loaded through tsx's loader, `'native'` when through Node's own `import()`. */
  loader: UserModuleLoader;
}

/** Options of {@link loadUserModule}. */
export interface LoadUserModuleOptions {
  /** Folder relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
  /** Whether to look for tsx (default true; false skips to Node's own loading, e.g. to test it). */
  tsx?: boolean;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Thrown when a user's module cannot be found or loaded; the message names the file. */
export class UserModuleError extends Error {
  override name = 'UserModuleError';
}

/**
 * Imports the module at `file` (a path, relative to `opts.cwd`), TypeScript included (see the
 * module comment), and returns its exports.
 *
 * @throws UserModuleError if the file does not exist, or is TypeScript and neither tsx nor
 *   Node's type stripping is available (the message says what to install), or Node's type
 *   stripping meets syntax it cannot erase. Errors thrown by the module's own code propagate.
 *
 * @example
 * ```ts
 * import { loadUserModule } from './src/cli/load-user-module.js';
 * const { exports, loader } = await loadUserModule('my-loss.ts');
 * const f = exports['loss']; // then check it is a function
 * ```
 */
export async function loadUserModule(file: string, opts: LoadUserModuleOptions = {}): Promise<LoadedUserModule> {
  const path = resolve(opts.cwd ?? process.cwd(), file);
  if (!existsSync(path)) throw new UserModuleError(`${file}: no such file (looked for ${path})`);
  const url = pathToFileURL(path).href;
  const isTs = TS_EXTENSIONS.has(extname(path).toLowerCase());

  if (isTs && opts.tsx !== false && (await registerTsx(dirname(path), opts.cwd ?? process.cwd()))) {
    return { exports: (await import(url)) as Record<string, unknown>, loader: 'tsx' };
  }
  try {
    return { exports: (await import(url)) as Record<string, unknown>, loader: 'native' };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (isTs && code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new UserModuleError(
        `${file}: cannot load a TypeScript file: this Node (${process.version}) does not strip types and tsx is ` +
          'not installed. Install tsx in your project (npm install --save-dev tsx), use Node ≥ 22.18, ' +
          'or compile the file to JavaScript and pass the .js file',
      );
    }
    if (isTs && code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
      throw new UserModuleError(
        `${file}: Node's type stripping cannot run this file (${(e as Error).message.split('\n')[0]}); ` +
          'install tsx in your project (npm install --save-dev tsx), which handles all of TypeScript',
      );
    }
    throw e;
  }
}

/** Whether tsx's loader was registered in this process (once is enough). */
let tsxRegistered = false;

/**
 * Registers tsx's loader, resolved from the user's file's folder, then the working folder,
 * then tensorgrad's own location; false when tsx is in none of them (or too old to have it).
 */
async function registerTsx(...from: string[]): Promise<boolean> {
  if (tsxRegistered) return true;
  const bases = [...from.map((d) => join(d, 'noop.js')), import.meta.url.startsWith('file:') ? import.meta.url : null];
  for (const base of bases) {
    if (base === null) continue;
    let pkgJson: string;
    try {
      pkgJson = createRequire(base).resolve('tsx/package.json');
    } catch {
      continue;
    }
    const entry = esmApiEntry(pkgJson);
    if (entry === null) continue;
    const api = (await import(pathToFileURL(entry).href)) as { register?: unknown };
    if (typeof api.register === 'function') {
      (api.register as () => unknown)();
      tsxRegistered = true;
      return true;
    }
  }
  return false;
}

/** The file behind tsx's `./esm/api` export (the ESM build), from its package.json. */
function esmApiEntry(pkgJson: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: Record<string, unknown> };
    const api = pkg.exports?.['./esm/api'] as { import?: { default?: unknown } | string } | undefined;
    const target = typeof api?.import === 'string' ? api.import : api?.import?.default;
    return typeof target === 'string' ? join(dirname(pkgJson), target) : null;
  } catch {
    return null;
  }
}
