/** Where the `tensorgrad` command writes, and the checks its commands share. */
import { existsSync, statSync } from 'node:fs';
import { UsageError, type CommandName } from './args.js';
import type { ProgressStream } from './progress.js';

/** Where the command writes: normally `process.stdout` / `process.stderr`. */
export interface CliIO {
  out: ProgressStream;
  err: { write(s: string): unknown };
}

/** Throws a UsageError unless `--data DIR` (when given) is an existing folder. */
export function checkDataDir(dir: string | undefined, command: CommandName): void {
  if (dir === undefined) return;
  if (!existsSync(dir)) throw new UsageError(`--data: folder '${dir}' does not exist`, command);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--data: '${dir}' is not a folder`, command);
}
