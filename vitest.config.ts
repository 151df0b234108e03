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
    // Speed, measured on the 2-core CI machine: no test mocks a module, stubs a global or
    // installs fake timers (each scenario takes its clock as a parameter), so test files need no fresh module
    // registry each. With isolation on, every one of the ~75 files re-imported dhive and wax (WebAssembly) and
    // re-transformed the workspace sources: 135 s of CPU for 90 s of tests, one worker at a time (Vitest's default
    // on 2 cores is cores - 1). Without it the whole suite takes about half the CPU. Two workers keep both cores
    // busy while a simulated chain waits for its next block.
    isolate: false,
    maxWorkers: 2,
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts'],
    },
  },
});
