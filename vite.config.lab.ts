/**
 * The browser lab: a static site built from lab/ (entry lab/index.html → src/web).
 * Served with the two headers that make the page cross-origin isolated, so the
 * wasm kernels can run on worker threads over shared memory.
 */
import { defineConfig } from 'vite';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: 'lab',
  base: './',
  build: { outDir: '../dist-lab', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation, port: 4173, strictPort: false },
});
