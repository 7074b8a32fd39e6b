/**
 * Two helpers shared by the examples: whether a file is being run as the script (and not
 * imported by a test), and reading a `--flag` from the command line.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * True when the module at `moduleUrl` (pass `import.meta.url`) is the script node/tsx was
 * started with. The examples run their `main()` only then, so tests can import their functions
 * without printing a lecture.
 */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(fileURLToPath(moduleUrl)) === real(script);
}

/** True when `--name` is on the command line (e.g. `--full` for an example's full run). */
export function hasFlag(name: string): boolean {
  return process.argv.slice(2).includes(`--${name}`);
}
