/**
 * vitest.config.ts runs test files without a fresh module registry each (`isolate: false`, for speed). That holds
 * only while no test changes shared process state that outlives it: a module mock, a stubbed global or environment
 * variable, fake timers, a spy left on a shared object. This keeps it so, and says where to look if one is needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED_STATE = /\bvi\.(mock|doMock|stubGlobal|stubEnv|useFakeTimers|spyOn|hoisted)\b/;

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
});
