/**
 * A whole module as the bytes of a safetensors file, in this library's layout or PyTorch's,
 * and back. Bytes only, so this runs in a browser too; `nn.save` / `nn.load` (Node entry,
 * `src/data/module-file.ts`) put the bytes in a file.
 */
import { encodeSafetensors, decodeSafetensors } from './safetensors.js';
import type { Module } from './module.js';
import { checkLayout, type LoadStateOptions, type LoadStateResult, type StateLayout } from './state-dict.js';

/** The metadata key that records a file's layout. */
export const LAYOUT_METADATA_KEY = 'tensorgrad.layout';

/** Options of `moduleToBytes` and `nn.save`. */
export interface SaveModuleOptions {
  /**
   * `'tensorgrad'` (default) or `'pytorch'`: PyTorch's names and layouts, so that
   * `model.load_state_dict(safetensors.torch.load_file(path))` accepts the file for the
   * equivalent PyTorch model (see `Module.stateDict`).
   */
  layout?: StateLayout;
  /** Extra string metadata stored in the file's `__metadata__`. */
  metadata?: Record<string, string>;
}

/** Options of `moduleFromBytes` and `nn.load`. */
export interface LoadModuleOptions extends LoadStateOptions {
  /**
   * The file's layout. Default: the one recorded in its metadata by `nn.save`, else
   * `'pytorch'` for a file whose metadata says `format: 'pt'` (as Hugging Face writes), else
   * `'tensorgrad'`.
   */
  layout?: StateLayout;
  /** A name for the bytes in error messages (`nn.load` passes the path). */
  source?: string;
}

/** What `moduleFromBytes` and `nn.load` report. */
export interface LoadModuleResult extends LoadStateResult {
  /** The layout the file was read in. */
  layout: StateLayout;
  /** The file's `__metadata__`. */
  metadata: Record<string, string>;
}

/**
 * The module's state (parameters and persistent buffers, `module.stateDict()`) as a
 * safetensors file. The layout is recorded in the metadata (`tensorgrad.layout`); PyTorch's
 * layout also gets `format: 'pt'`, the key Hugging Face's loaders look for.
 *
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * const net = new nn.MLP([4, 3, 2], { seed: 1 });
 * const bytes = nn.moduleToBytes(net, { layout: 'pytorch' }); // keys 0.weight [3, 4], 0.bias, 2.weight, 2.bias
 * const copy = new nn.MLP([4, 3, 2], { seed: 2 });
 * nn.moduleFromBytes(copy, bytes);                            // layout read from the metadata
 * ```
 */
export function moduleToBytes(module: Module, opts: SaveModuleOptions = {}): Uint8Array {
  const layout = checkLayout('moduleToBytes', opts.layout);
  const metadata: Record<string, string> = { ...(opts.metadata ?? {}), [LAYOUT_METADATA_KEY]: layout };
  if (layout === 'pytorch') metadata.format = 'pt';
  return encodeSafetensors([...module.stateDict({ layout })], metadata);
}

/**
 * Loads a safetensors file's tensors into `module` in place (`module.loadStateDict`, strict
 * by default: every key, shape and dtype must match, and nothing changes unless all do).
 *
 * @throws Error naming the source for a malformed file, and the key for any mismatch.
 *
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * const a = new nn.MLP([4, 3, 2], { seed: 1 }), b = new nn.MLP([4, 3, 2], { seed: 2 });
 * nn.moduleFromBytes(b, nn.moduleToBytes(a)).layout; // 'tensorgrad'; b now equals a
 * ```
 */
export function moduleFromBytes(module: Module, bytes: Uint8Array | ArrayBuffer, opts: LoadModuleOptions = {}): LoadModuleResult {
  const source = opts.source ?? 'safetensors';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const recorded = metadata[LAYOUT_METADATA_KEY];
  const layout: StateLayout =
    opts.layout !== undefined
      ? checkLayout(`moduleFromBytes: ${source}`, opts.layout)
      : recorded !== undefined
        ? checkLayout(`moduleFromBytes: ${source}: metadata '${LAYOUT_METADATA_KEY}'`, recorded)
        : metadata.format === 'pt'
          ? 'pytorch'
          : 'tensorgrad';
  try {
    const result = module.loadStateDict(tensors, { layout, strict: opts.strict });
    return { ...result, layout, metadata };
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}
