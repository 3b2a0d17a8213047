/**
 * The browser lab: a static site built from lab/ (entry lab/index.html → lab/src).
 * Served with the two headers that make the page cross-origin isolated, so the
 * wasm kernels can run on worker threads over shared memory.
 */
import { defineConfig } from 'vite';
import { SOURCE_CONDITION } from './vitest.shared.ts';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: 'lab',
  base: './',
  // Pages, not a single-page app: a missing file is a 404, not the lab's index.html (a broken link must show).
  appType: 'mpa',
  build: { outDir: '../dist-lab', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  // The library from its sources (packages/predictive-coding/src), as in the tests.
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation, port: 4173, strictPort: false },
});
