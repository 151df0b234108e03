/**
 * vitest.config.ts runs test files without a fresh module registry each (`isolate: false`, for speed). That holds
 * only while no test changes shared process state that outlives it: a module mock, a stubbed global or environment
 * variable, fake timers, a spy left on a shared object. This keeps it so, and says where to look if one is needed.
 * It also runs the files that are not on the REAL_CLOCK_FILES list (test-groups.ts) two at a time: this keeps
 * real-clock work (a child process, a simulated chain on the real clock) out of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { globRegExp, REAL_CLOCK_FILES } from './test-groups.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED_STATE = /\bvi\.(mock|doMock|stubGlobal|stubEnv|useFakeTimers|spyOn|hoisted)\b/;
/** A child process, the CLI run as one, or a simulated chain started on anything but the manual clock. */
const REAL_CLOCK_WORK =
  /\b(spawn|spawnSync|execFile|execFileSync|fork|runCli|startCli|operatorPerTest)\(|\bstartSimnet\((?!\{ clock: 'manual'|%j)/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('the test suite runs without per-file isolation', () => {
  it('has no test that mocks a module, stubs a global or the environment, fakes timers or spies', () => {
    const files = [...testFiles(join(ROOT, 'packages')), ...testFiles(join(ROOT, 'examples'))];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((file) => SHARED_STATE.test(readFileSync(file, 'utf8')));
    expect(
      offenders.map((file) => file.slice(ROOT.length)),
      'isolate: false in vitest.config.ts: pass a clock or a fake as a parameter instead, or isolate that file',
    ).toEqual([]);
  });

  it('runs real-clock work only in the files vitest.config.ts runs alone (REAL_CLOCK_FILES)', () => {
    const realClock = REAL_CLOCK_FILES.map(globRegExp);
    expect(realClock.some((re) => re.test('packages/cli/test/demo.test.ts'))).toBe(true);
    expect(realClock.some((re) => re.test('packages/core/src/chain/parse.test.ts'))).toBe(false);
    const files = [...testFiles(join(ROOT, 'packages')), ...testFiles(join(ROOT, 'examples'))]
      .map((file) => file.slice(ROOT.length))
      .filter((file) => file.endsWith('.test.ts') && !realClock.some((re) => re.test(file)));
    expect(files.length).toBeGreaterThan(40);
    const offenders = files.filter((file) => REAL_CLOCK_WORK.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(
      offenders,
      'add them to REAL_CLOCK_FILES in packages/cli/test/test-groups.ts (or run the chain on the manual clock)',
    ).toEqual([]);
  });
});
