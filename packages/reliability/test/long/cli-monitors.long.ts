/**
 * Several monitors as operators really run them: 3 one-shot and 5 daemon `witness-trap run` processes on one
 * witness, each with its own state file, started in a shuffled order. One switch per incident on chain, every
 * process tells the same story.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type CliChild, startCli } from '../../src/cli-process.js';
import { recordFinding } from '../../src/findings.js';
import { operatorPerTest } from '../../src/operator-setup.js';

const setup = operatorPerTest();

function withState(args: string[], path: string): string[] {
  const at = args.indexOf('--state');
  return [...args.slice(0, at + 1), path, ...args.slice(at + 2)];
}

for (const { count, daemon } of [
  { count: 3, daemon: false },
  { count: 5, daemon: true },
]) {
  it(`${count} ${daemon ? 'daemon' : 'one-shot'} CLI processes on one witness: one switch, the same outcome everywhere`, async () => {
    const op = await setup();
    const { sim, me, backupKeys } = op;
    const order = [...Array(count).keys()].sort((a, b) => ((a * 7919) % count) - ((b * 7919) % count) || a - b);
    const runs: CliChild[] = [];
    for (const i of order) {
      const args = withState(op.runArgs, join(op.dir, `state-${i}.json`));
      runs.push(await startCli(daemon ? [...args, '--daemon'] : args, { env: op.env, cwd: op.dir }));
    }
    await Promise.all(runs.map((r) => r.waitForRecord((rec) => rec.event === 'armed', 30_000)));
    await sim.stopNode(me.signingKey);
    await Promise.all(runs.map((r) => r.waitForRecord((rec) => rec.event === 'confirmed', 30_000)));
    if (daemon) {
      // A few more rounds: a daemon that would ping-pong would do it now.
      await new Promise((resolve) => setTimeout(resolve, 42 * 200));
      for (const r of runs) r.child.kill('SIGTERM');
    }
    const codes = await Promise.all(runs.map((r) => r.exited));
    const confirmed = runs.map((r) => r.records().filter((rec) => rec.event === 'confirmed'));
    const switches = sim.chain
      .transactions()
      .filter((t) => t.operations.some(([name]) => name === 'witness_set_properties'));
    recordFinding({
      area: 'several monitors',
      injected: `${count} ${daemon ? 'daemon' : 'one-shot'} CLI processes (own state files), primary killed`,
      happened: `${switches.length} switch on chain; exit codes ${codes.join(', ')}; confirmations per process ${confirmed.map((c) => c.length).join(', ')} (own tx: ${confirmed.filter((c) => c[0]?.byPeer === false).length}, adopted: ${confirmed.filter((c) => c[0]?.byPeer === true).length}; distinct tx ids: ${new Set(confirmed.map((c) => c[0]?.txId)).size}: processes with the same configuration sign byte-identical switches, which the chain deduplicates)`,
    });
    expect(switches).toHaveLength(1);
    expect(sim.chain.witness(me.name)?.signing_key).toBe(backupKeys[0]);
    expect(codes).toEqual(Array(count).fill(0));
    for (const c of confirmed) expect(c.map((rec) => rec.toKey)).toEqual([backupKeys[0]]);
  }, 120_000);
}
