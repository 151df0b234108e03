/**
 * Which test files vitest.config.ts runs how. Kept apart from the config so that tests can read the lists
 * (suite-isolation.test.ts checks that real-clock work stays in REAL_CLOCK_FILES).
 */

/**
 * Test files that run on the real clock: CLI processes and traps against a simulated chain on the real clock, whose
 * slots do not wait, and other child processes. They run last, two at a time, with nothing else running (the unit
 * and scenario files keep both cores busy, and a CLI child competing with them missed slots it does not miss alone:
 * a switch landing a round late). Two of them at a time leave the cores mostly idle: see vitest.config.ts.
 */
export const REAL_CLOCK_FILES = [
  'packages/cli/test/**/*.test.ts',
  'packages/reliability/test/bad-minute-cli.test.ts',
  'packages/reliability/test/config-fuzz.test.ts',
  'packages/reliability/test/crash.test.ts',
  'packages/reliability/test/rpc-fuzz.test.ts',
  'packages/reliability/test/secrets.test.ts',
  'packages/simnet/test/cli.test.ts',
  'packages/simnet/test/nodes.test.ts',
  'packages/core/src/chain/dhive-lib.test.ts',
  'packages/core/test/dhive-client.simnet.test.ts',
  'packages/notifier-telegram/test/remote.test.ts',
  'examples/external-signer.test.ts',
];

/**
 * Scenario files on the manual clock whose RPC calls still time out in real time (nodes made slow, hanging or
 * blackholed): most of their wall time is spent waiting, so they run two at a time, after the unit files (which keep
 * both cores busy) and before the real-clock ones. Files also on REAL_CLOCK_FILES are not among them.
 */
export const SCENARIO_FILES = [
  'packages/reliability/test/**/*.test.ts',
  'packages/core/src/chain/dhive-client.test.ts',
];

/**
 * Files .ci/run runs under its first Node line only (CI_SKIP_ONCE_FILES=1 in the other passes): the node-fault
 * scenarios of issue 19 through the CLI, a minute of slots on the real clock that judge the trap's decisions, not
 * Node's; the reliability step runs their superset (packages/reliability/test/long/node-faults-cli.long.ts) once
 * more. What they touch that differs between Node lines (refused and aborted HTTP requests, a degraded CLI run)
 * runs under every line in degraded-said.test.ts and the chain client's tests. `pnpm test` always runs them.
 */
export const ONCE_PER_CI_FILES = ['packages/cli/test/node-faults.test.ts'];

/** A glob of vitest.config.ts's file lists (`**` and `*` only) as a regular expression over a path from the root. */
export function globRegExp(glob: string): RegExp {
  const pattern = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

/** Whether `path` (from the repository root) matches one of `globs`. */
export function matchesAny(globs: readonly string[], path: string): boolean {
  return globs.some((glob) => globRegExp(glob).test(path));
}
