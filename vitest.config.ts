import { defineConfig } from 'vitest/config';
import { sourceResolution } from './vitest.shared.ts';

// Node 20 runs WebAssembly relaxed SIMD only behind this flag (Node 22 and 24 by default): with it
// the conformance tables test the wasm kernels' relaxed-SIMD build here too, next to the plain one
// Node 20 users get (test/kernels/variants.ts names both).
const relaxedSimdFlag = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  ...sourceResolution,
  test: {
    include: ['test/**/*.test.ts'],
    // test/webgpu needs a WebGPU adapter: `npm run test:webgpu`.
    exclude: ['test/webgpu/**', '**/node_modules/**'],
    // The default reporter for people, and one plain "N passed, N failed" line for CI logs.
    reporters: ['default', './test/count-reporter.ts'],
    execArgv: relaxedSimdFlag,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
