// Bundled by esbuild for Chromium: runs compute() on `tensorgrad/core` on the page's main thread.
import * as tg from 'tensorgrad/core';
import { compute } from './compute.mjs';

window.__tensorgrad = compute(tg).then(
  (r) => ({ ok: true, result: r }),
  (e) => ({ ok: false, error: String(e?.stack || e) }),
);
