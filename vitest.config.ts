import { defineConfig } from 'vitest/config';
import { ONCE_PER_CI_FILES, REAL_CLOCK_FILES, SCENARIO_FILES } from './packages/cli/test/test-groups.js';

/** .ci/run's second and third Node passes leave these out (see ONCE_PER_CI_FILES). */
const skippedHere = process.env.CI_SKIP_ONCE_FILES === '1' ? ONCE_PER_CI_FILES : [];

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources in tests, so `pnpm test` needs no build first.
    conditions: ['source'],
  },
  // Tests run in Vitest's server (SSR) environment, which resolves package exports with its own conditions.
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Speed, measured on the 2-core CI machine: no test mocks a module, stubs a global or installs fake timers
    // (packages/cli/test/suite-isolation.test.ts keeps it so), so test files need no fresh module registry each. With
    // isolation on, each of the ~80 files re-imported dhive and wax (WebAssembly) and re-transformed the workspace
    // sources: 135 s of CPU for 90 s of tests. Without it the suite takes about half the CPU.
    isolate: false,
    // Three groups, one after the other (sequence.groupOrder), from packages/cli/test/test-groups.ts: the unit and
    // manual-clock files two at a time (nothing in them waits on the real clock: sharing the cores costs them only
    // CPU time); the scenario files whose requests time out in real time, two at a time; the real-clock files last,
    // two at a time and with nothing else running. Measured on the 2-core machine: the real-clock files spend most of
    // their wall time waiting on blocks (about 0.4 of a core busy), so two at a time took 153 s instead of 286 s one
    // at a time, and passed; three at a time took 101 s but put three CLI children and their simnets on two cores.
    // REAL_CLOCK_WORKERS=1 runs them one at a time, to tell a loaded machine from a real failure.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...REAL_CLOCK_FILES, ...SCENARIO_FILES],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          typecheck: {
            // .ci/run skips them in its second and third Node passes: tsc says the same under every Node.
            enabled: process.env.CI_SKIP_TYPE_TESTS !== '1',
            include: ['packages/*/src/**/*.test-d.ts'],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'scenarios',
          include: SCENARIO_FILES,
          exclude: ['**/node_modules/**', ...REAL_CLOCK_FILES],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'real-clock',
          include: REAL_CLOCK_FILES,
          exclude: ['**/node_modules/**', ...skippedHere],
          maxWorkers: Number(process.env.REAL_CLOCK_WORKERS ?? 2),
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
