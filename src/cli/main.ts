/**
 * The `tensorgrad` command: `train`, `evaluate`, `gradcheck`, `bench`, `help`, `--version`.
 *
 * Run it with `npx tsx src/cli/main.ts <command> [flags]`, `npm start` (= `train`), or the
 * `tensorgrad` bin. Exit codes: 0 success, 1 failure (e.g. a corrupt file), 2 a usage mistake
 * (unknown flag or value, non-number, missing data folder or model file).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommandLine, USAGE, UsageError, type CommandName } from './args.js';
import { benchCommand } from './bench-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { runGradcheckCommand } from './gradcheck-file.js';
import type { CliIO } from './io.js';
import { packageInfo } from './package-info.js';
import { trainCommand } from './train-command.js';

export type { CliIO } from './io.js';
export { stallWarning } from './format.js';

/**
 * Runs the `tensorgrad` command with arguments `argv` (without `node` and the script) and
 * resolves to its exit code. Usage mistakes print one line plus the usage on stderr (code 2);
 * other errors print `tensorgrad: error: …` (code 1).
 *
 * @example
 * ```ts
 * const code = await run(['train', '--epochs', '1', '--train-limit', '1000']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let command: CommandName | undefined;
  try {
    const parsed = parseCommandLine(argv);
    switch (parsed.command) {
      case 'version':
        io.out.write(`tensorgrad ${packageInfo().version}\n`);
        return 0;
      case 'help': {
        const topic = parsed.topic;
        if (topic !== undefined && !(topic in USAGE)) throw new UsageError(`unknown command '${topic}'`);
        io.out.write((topic ? USAGE[topic as CommandName] : USAGE.help) + '\n');
        return 0;
      }
      case 'train':
        command = 'train';
        return await trainCommand(parsed.config, parsed.run, io);
      case 'evaluate':
        command = 'evaluate';
        return evaluateCommand(parsed.options, io);
      case 'gradcheck':
        command = 'gradcheck';
        return await runGradcheckCommand(parsed.rest, io);
      case 'bench':
        return await benchCommand(parsed.rest, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const usage = USAGE[e.command ?? command ?? 'help'] ?? USAGE.help;
      io.err.write(`tensorgrad: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    io.err.write(`tensorgrad: error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

/** True when this module is the program being run (tsx src/cli/main.ts), not imported. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(resolve(entry)).href;
  } catch {
    return false;
  }
}

/**
 * Exits quietly when stdout is closed early (`tensorgrad evaluate … | head`), instead of
 * crashing with an EPIPE stack trace.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

if (isEntryPoint()) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await run(process.argv.slice(2));
}
