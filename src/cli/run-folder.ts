/**
 * The run folder of `tensorgrad train`, made ready before the first step: created (without
 * Node's recursive mkdir, which spins forever on some file systems such as procfs), checked
 * for writability and free space, refused when it holds another run's files (unless resuming
 * or forced), and, by default, a fresh `runs/<timestamp>` that no other run can get too.
 */
import { mkdirSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { defaultOutDir } from './run-files.js';

/** The files a run writes: a folder holding any of them belongs to a run. */
export const RUN_FILE_NAMES: readonly string[] = ['model.safetensors', 'metrics.json', 'curves.svg', CHECKPOINT_FILE];

/** Errors of the file system as a sentence. */
function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'the file system does not allow it there';
    default:
      return err.message ?? String(e);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (a bounded loop: at most one
 * `mkdir` per path component), so a file system that refuses gives an error, not a spin.
 */
export function makeFolder(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      missing.push(p);
      if (dirname(p) === p) break;
      continue;
    }
    if (!isDir) throw new Error(`cannot create the run folder ${abs}: ${p} is a file, not a folder`);
    break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw new Error(`cannot create the run folder ${abs}: mkdir ${p}: ${why(e)}`);
    }
  }
}

/**
 * A new folder `base`, or `base-2`, `base-3`, … if taken: created with an exclusive `mkdir`, so
 * two runs started in the same second get different folders.
 */
export function makeFreshFolder(base: string): string {
  makeFolder(dirname(resolve(base)));
  for (let i = 1; i <= 10_000; i++) {
    const dir = resolve(i === 1 ? base : `${base}-${i}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the run folder ${dir}: ${why(e)}`);
    }
  }
  throw new Error(`cannot create a run folder: ${base} through ${base}-10000 all exist`);
}

/** Throws unless a file can be written in `dir` and the device has `bytes` free. */
export function checkWritable(dir: string, bytes: number): void {
  const probe = join(dir, `.tensorgrad-write-test-${process.pid}`);
  try {
    writeFileSync(probe, 'ok');
  } catch (e) {
    throw new Error(`the run folder ${dir} is not writable: ${why(e)}`);
  } finally {
    rmSync(probe, { force: true });
  }
  let free: number;
  try {
    const s = statfsSync(dir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch {
    return; // no statfs here: the write probe has to do
  }
  if (free < bytes) {
    throw new Error(`the run folder ${dir} has ${(free / 1e6).toFixed(1)} MB free, and the run needs about ${(bytes / 1e6).toFixed(1)} MB`);
  }
}

/** Removes temporary files an interrupted atomic write left behind (`<name>.tmp-<pid>-<random>`). */
export function removeTemporaryFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (/\.tmp-\d+-[a-z0-9]+$/.test(name)) rmSync(join(dir, name), { force: true });
  }
}

/** What `prepareRunFolder` needs to know. */
export interface RunFolderRequest {
  /** `--out`: the folder to use; undefined for a fresh `runs/<timestamp>`. */
  out?: string;
  /** `--resume`: the folder of the run to continue. */
  resume?: string;
  /** `--force`: replace another run's files in `out`. */
  force: boolean;
  /** About how many bytes the run will write (checked against the free space). */
  bytes: number;
}

/**
 * Makes the run folder ready and returns its absolute path.
 *
 * @throws UsageError for a folder that holds another run's files (without --force), or a
 *   --resume folder without a checkpoint; Error when it cannot be created or written.
 */
export function prepareRunFolder(req: RunFolderRequest): string {
  let dir: string;
  if (req.resume !== undefined) {
    dir = resolve(req.resume);
    let ok = false;
    try {
      ok = statSync(join(dir, CHECKPOINT_FILE)).isFile();
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--resume: ${req.resume} holds no ${CHECKPOINT_FILE} to continue from`, 'train');
  } else if (req.out === undefined) {
    dir = makeFreshFolder(defaultOutDir());
  } else {
    dir = resolve(req.out);
    makeFolder(dir);
    const present = readdirSync(dir).filter((n) => RUN_FILE_NAMES.includes(n));
    if (present.length > 0) {
      if (!req.force) {
        throw new UsageError(
          `--out: ${req.out} holds another run's files (${present.join(', ')}); continue it with --resume ${req.out}, ` +
            'replace it with --force, or choose another --out',
          'train',
        );
      }
      for (const n of present) rmSync(join(dir, n), { force: true });
    }
  }
  checkWritable(dir, req.bytes);
  removeTemporaryFiles(dir);
  return dir;
}
