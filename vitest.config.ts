import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources in tests, so `pnpm test` needs no build first.
    conditions: ['source'],
  },
  // Tests run in Vitest's server (SSR) environment, which resolves package exports with its own conditions.
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Speed, measured on the 2-core CI machine: no test mocks a module, stubs a global or installs fake timers
    // (packages/cli/test/suite-isolation.test.ts keeps it so), so test files need no fresh module registry each. With
    // isolation on, each of the ~80 files re-imported dhive and wax (WebAssembly) and re-transformed the workspace
    // sources: 135 s of CPU for 90 s of tests. Without it the suite takes about half the CPU. One file at a time
    // (Vitest's default on 2 cores): the CLI and drill tests run real processes against a real-clock simulated chain,
    // and a second file competing for the cores made them miss slots they do not miss alone.
    isolate: false,
    maxWorkers: 1,
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts'],
    },
  },
});
