// Runs the measurement under vitest (whose resolver loads tfjs-core's gradient registration):
//   pnpm vitest run --config packages/core-neurons/bench/vitest.measure.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['packages/core-neurons/bench/*.measure.ts'],
    testTimeout: 900_000,
    pool: 'forks',
  },
});
