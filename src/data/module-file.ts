/**
 * Saving and loading a whole module as a `.safetensors` file (Node only). The bytes come
 * from `nn.moduleToBytes` / go to `nn.moduleFromBytes`, which run anywhere; this file only
 * adds the file system. Exposed as `nn.save` and `nn.load` from the package root.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Module } from '../nn/module.js';
import { moduleFromBytes, moduleToBytes, type LoadModuleOptions, type LoadModuleResult, type SaveModuleOptions } from '../nn/serialize.js';

/**
 * Writes `module`'s parameters and persistent buffers to `path` as a safetensors file, in
 * this library's layout or (`{ layout: 'pytorch' }`) PyTorch's, so that
 * `torch_model.load_state_dict(safetensors.torch.load_file(path))` accepts it. The file is
 * written whole or not at all (a temporary file renamed into place).
 *
 * @throws Error naming the path when it cannot be written.
 *
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * const net = new nn.MLP([784, 30, 10], { seed: 1 });
 * nn.save(net, 'mlp.safetensors');                                 // layers.0.weight [784, 30], …
 * nn.save(net, 'mlp-torch.safetensors', { layout: 'pytorch' });   // 0.weight [30, 784], …, 2.bias
 * // Python: torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(),
 * //   torch.nn.Linear(30, 10), torch.nn.Sigmoid()).load_state_dict(load_file('mlp-torch.safetensors'))
 * ```
 */
export function save(module: Module, path: string, opts: SaveModuleOptions = {}): void {
  const bytes = moduleToBytes(module, opts);
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`nn.save: cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Loads a safetensors file into `module` in place: strict by default (every key, shape and
 * dtype must match; nothing changes unless all do). The layout is the one `nn.save`
 * recorded in the file, unless `opts.layout` says otherwise.
 *
 * @throws Error naming the path: unreadable or malformed file, or a key that does not match.
 *
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * const net = new nn.MLP([784, 30, 10]);
 * nn.load(net, 'mlp.safetensors');                         // the layout is read from the file
 * nn.load(net, 'from-torch.safetensors', { layout: 'pytorch' });
 * ```
 */
export function load(module: Module, path: string, opts: LoadModuleOptions = {}): LoadModuleResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a file' : err.message;
    throw new Error(`nn.load: cannot read ${path}: ${why}`);
  }
  return moduleFromBytes(module, bytes, { ...opts, source: opts.source ?? path });
}
