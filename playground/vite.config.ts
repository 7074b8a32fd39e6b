/**
 * Vite builds the playground as a static site: `npm run playground` serves it, `npm run
 * build:playground` writes it to playground/dist. The library comes in as TypeScript source
 * (`../src/core.ts`), compiled by Vite with the page; the MNIST files come from public/data,
 * written by scripts/make-data.mjs before either command runs.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset paths: dist/ works from any folder or sub-path it is served from.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
});
