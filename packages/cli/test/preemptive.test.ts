import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest, TEST_BLOCK_INTERVAL_MS } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();

describe('run --preemptive, against the simulated chain', () => {
  it('switches before the slot of a node that died 4.5 blocks or more before it: no missed slot, exit 0', async () => {
    const op = await setUp();
    const health = `${op.me.signingKey}=${op.sim.nodeHealthUrl(op.me.signingKey)}`;
    let killedBefore: number | undefined;
    let watch: NodeJS.Timeout | undefined;
    const result = await runCli(
      ['run', ...op.runFlags, '--preemptive', '--health', health, '--json', '--state', join(op.dir, 'state.json')],
      {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStdoutLine: (line) => {
          if (!line.includes('"event":"armed"')) return;
          // Kill the node 4.5 blocks or more before one of the witness's slots (5 witnesses: a slot in about 5 blocks).
          // At 200 ms blocks a switch decided by 1.5 blocks before the slot has 100 ms to land, too little on a
          // shared machine; this leaves it the whole window (probes from 4 blocks before the slot).
          watch = setInterval(() => {
            const slot = op.sim.chain.nextSlot(op.me.name);
            const lead = slot === undefined ? 0 : slot.time - Date.now();
            if (
              killedBefore === undefined &&
              lead >= 4.5 * TEST_BLOCK_INTERVAL_MS &&
              lead < 6 * TEST_BLOCK_INTERVAL_MS
            ) {
              killedBefore = lead;
              void op.sim.stopNode(op.me.signingKey);
            }
          }, 10);
        },
      },
    );
    clearInterval(watch);
    expect(killedBefore, result.stderr + result.stdout).toBeDefined();
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.find((record) => record.event === 'triggered')).toMatchObject({ reason: 'preemptive' });
    expect(lines.map((record) => record.event)).not.toContain('missed');
    // On chain: the backup holds the key, produces the witness's slots, and no slot was missed.
    const switchedAt = op.sim.chain.head().number;
    await new Promise((resolve) => setTimeout(resolve, 12 * TEST_BLOCK_INTERVAL_MS));
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.backupKey);
    expect(op.sim.chain.witness(op.me.name)?.last_confirmed_block_num).toBeGreaterThan(switchedAt);
    // (a block orphaned by the hostile simnet's micro-forks is the chain's doing, not a miss the trap could prevent)
    expect(op.sim.chain.missedSlots(op.me.name).filter((m) => !m.forked)).toEqual([]);
  }, 40_000);

  it('refuses to run (exit 2, nothing broadcast) without the health URL of the key on chain; check says which', async () => {
    const op = await setUp();
    const backupOnly = `${op.backupKey}=${op.sim.nodeHealthUrl(op.backupKey)}`;
    const run = await runCli(['run', ...op.runFlags, '--preemptive', '--health', backupOnly], { cwd: op.dir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr + run.stdout).toContain(`--health ${op.me.signingKey}=`);
    const bare = await runCli(['run', ...op.runFlags, '--preemptive'], { cwd: op.dir });
    expect(bare.code).toBe(2);
    expect(bare.stderr + bare.stdout).toMatch(/--preemptive needs the health URL/);
    const check = await runCli(['check', ...op.runFlags, '--preemptive', '--health', backupOnly, '--json'], {
      cwd: op.dir,
    });
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(`--health ${op.me.signingKey}=`);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  }, 40_000);
});
