import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/webgpu needs a WebGPU adapter: `npm run test:webgpu`.
    exclude: ['test/webgpu/**', '**/node_modules/**'],
    // The default reporter for people, and one plain "N passed, N failed" line for CI logs.
    reporters: ['default', './test/count-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
