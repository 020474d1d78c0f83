import { defineConfig } from 'vitest/config';

// `pnpm test:browser`: the results page in Debian's Chromium (not part of `pnpm test`, which must
// pass on a machine without a browser).
export default defineConfig({
  test: {
    include: ['pipelines/report/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
