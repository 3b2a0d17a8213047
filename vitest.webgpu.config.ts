import { defineConfig } from 'vitest/config';
import { sourceResolution } from './vitest.shared.ts';

// The WebGPU tests need an adapter: `npm run test:webgpu` (scripts/with-swiftshader.ts finds one without a GPU).
export default defineConfig({
  ...sourceResolution,
  test: {
    include: ['test/webgpu/**/*.test.ts'],
    reporters: ['default', './test/count-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
