import { defineConfig } from 'vitest/config';
import { sourceResolution } from './vitest.shared.ts';

// Browser tests: real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against the built lab.
export default defineConfig({
  ...sourceResolution,
  test: {
    include: ['test/web/**/*.e2e.ts'],
    reporters: ['default', './test/count-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
