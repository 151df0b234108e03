/**
 * Nothing but witness-trap's own output on stderr, under every Node that engines promise: no deprecation or
 * experimental warning from a dependency (the CLI promises JSON lines to whatever reads it off a terminal). The Node
 * binaries come from CI_NODE_BINARIES (paths separated by ':', set by .ci/run); a line without a binary for it is
 * skipped, and says why in its name.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from './harness.js';

/** The Node lines in engines (see .ci/run, which installs one binary per line). */
const LINES = [20, 22, 24];

const listed = (process.env.CI_NODE_BINARIES ?? '').split(':').filter(Boolean);
const binaries = new Map<number, { path: string; version: string }>();
for (const path of [process.execPath, ...listed]) {
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  binaries.set(Number(version.slice(1).split('.')[0]), { path, version });
}

/** Whether a stderr line is witness-trap's: one of its notes, or a JSON log line. */
function own(line: string): boolean {
  if (line.startsWith('witness-trap: ')) return true;
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

const foreign = (stderr: string) => stderr.split('\n').filter((line) => line.trim() !== '' && !own(line));

describe('stderr holds only witness-trap output', () => {
  for (const line of LINES) {
    const node = binaries.get(line);
    if (!node) {
      it.skip(`under Node ${line}: no binary (CI_NODE_BINARIES is not set; .ci/run sets it)`, () => {});
      continue;
    }
    it(`under Node ${node.version}: keygen, --help and the whole demo failover`, async () => {
      const runs = [['keygen', '--json'], ['--help'], ['demo', '--json', '--block-interval', '100']];
      for (const args of runs) {
        const result = await runCli(args, { node: node.path, timeoutMs: 60_000 });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        expect(foreign(result.stderr), args.join(' ')).toEqual([]);
      }
    }, 120_000);
  }

  it('tells a foreign line from its own', () => {
    expect(foreign('witness-trap: a note\n{"level":"info"}\n')).toEqual([]);
    expect(
      foreign('(node:123) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.\nwitness-trap: x\n'),
    ).toHaveLength(1);
  });
});
