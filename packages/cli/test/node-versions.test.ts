/**
 * Nothing but witness-trap's own output on stderr under the Node that runs the suite: no deprecation or experimental
 * warning from a dependency (the CLI promises JSON lines to whatever reads it off a terminal). .ci/run runs the whole
 * suite under every Node line that engines promise (20, 22, 24), so this file checks each of them once: under the
 * Node it runs under (`process.execPath`), which must be one of those lines.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './harness.js';

/** The Node lines in engines (see .ci/run, which runs the suite under one binary per line). */
const LINES = [20, 22, 24];

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
  it(`under this Node (${process.version}): keygen, --help and the whole demo failover`, async () => {
    expect(LINES, `Node ${process.version} is not a line engines promise`).toContain(
      Number(process.versions.node.split('.')[0]),
    );
    const runs = [['keygen', '--json'], ['--help'], ['demo', '--json', '--block-interval', '100']];
    for (const args of runs) {
      // The demo ends by itself within its rehearsal deadline (28 s at 100 ms blocks); this is only the backstop.
      const result = await runCli(args, { timeoutMs: 60_000 });
      expect(result.code, `${args.join(' ')}: ${result.stderr}${result.stdout.slice(-2000)}`).toBe(0);
      expect(foreign(result.stderr), args.join(' ')).toEqual([]);
    }
  }, 120_000);

  it('tells a foreign line from its own', () => {
    expect(foreign('witness-trap: a note\n{"level":"info"}\n')).toEqual([]);
    expect(
      foreign('(node:123) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.\nwitness-trap: x\n'),
    ).toHaveLength(1);
  });
});
