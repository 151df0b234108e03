import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:reliability`: the long scenarios (soak, the full kill -9 matrix, fuzzing at depth) beside the quick
 * ones the root `pnpm test` already runs. Long files end in `.long.ts` so that the root config never picks them up.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['packages/reliability/test/**/*.test.ts', 'packages/reliability/test/long/**/*.long.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The machine has two cores and the CLI scenarios run real processes against a real-clock chain.
    fileParallelism: false,
  },
});
