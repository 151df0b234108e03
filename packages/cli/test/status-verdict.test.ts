/** `status` as a monitoring check: a verdict on top, the lines behind it marked, exit 0/1/2/3 (issue 21 item 8). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileStateStore } from '@witness-trap/core';
import { describe, expect, it } from 'vitest';
import { type Operator, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';
const setUp = operatorPerTest();

/** A state file as an armed trap leaves it. */
async function armedState(op: Operator): Promise<string> {
  const path = join(op.dir, 'state.json');
  await fileStateStore(path).save({
    version: 1,
    witness: op.me.name,
    armedAt: Date.now(),
    baselineTotalMissed: op.sim.chain.witness(op.me.name)?.total_missed ?? 0,
    history: [],
    failedKeys: [],
  });
  return path;
}

const status = (op: Operator, state: string, ...extra: string[]) =>
  runCli(['status', ...op.runFlags, '--state', state, ...extra], { cwd: op.dir, timeoutMs: 20_000 });

describe('status as a monitoring check', () => {
  it('says OK and exits 0 while the witness produces and a trap has armed with this state', async () => {
    // No micro-forks: one orphaned block of the witness is a real missed slot, which status rightly calls CRITICAL.
    const op = await setUp(undefined, 500, { microForkRate: 0 });
    const state = await armedState(op);
    await op.sim.waitForBlock(12);
    const result = await status(op, state);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('OK');
    expect(result.stdout).not.toMatch(/^!/m);
  }, 30_000);

  it("with the witness's node stopped, exits 2 within one round and says which slot was missed", async () => {
    const interval = 500;
    const op = await setUp(undefined, interval, { microForkRate: 0 });
    const state = await armedState(op);
    await op.sim.waitForBlock(12);
    await op.sim.stopNode(op.me.signingKey);
    const stoppedAt = Date.now();
    const roundMs = 21 * interval;
    let last = await status(op, state);
    while (last.code !== 2 && Date.now() - stoppedAt < roundMs) last = await status(op, state);
    expect(last.code, last.stdout + last.stderr).toBe(2);
    // Within one round of the stop (the check that found it started before the round ended).
    expect(Date.now() - stoppedAt).toBeLessThan(roundMs + 10_000);
    const [top] = last.stdout.split('\n');
    expect(top).toMatch(/^CRITICAL: MISSING BLOCKS since #\d+ \(\d+ s ago\): slot \d+ due \S+ passed without a block/);
    expect(last.stdout).toMatch(/^! last block {4}#\d+, \d+ s ago; slot \d+/m);
    // And it stays CRITICAL, across the next shuffle too, while the node is down.
    const json = await status(op, state, '--json');
    expect(json.code, json.stdout).toBe(2);
    await op.sim.waitForBlock(op.sim.chain.head().number + 21);
    const later = await status(op, state);
    expect(later.code, later.stdout).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      verdict: { state: 'MISSING BLOCKS', severity: 'critical', exitCode: 2 },
      missedSlot: { evidence: expect.stringMatching(/^(schedule|gap)$/) },
    });
  }, 60_000);

  it('says DISABLED and exits 2 when the null key is on chain', async () => {
    const op = await setUp({ signingKey: NULL_KEY });
    // A seeded witness's own key has no private key here: the operator holds the backup's.
    writeFileSync(op.keyFile, `${op.me.backupKeys[0]?.privateKey}\n`);
    const result = await status(op, await armedState(op));
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout.split('\n')[0]).toMatch(/^CRITICAL: DISABLED: the null key is on chain/);
    expect(result.stdout).toMatch(/^! signing key {3}STM1111111111111111111111111111111114T1Anm/m);
  }, 30_000);

  it('says TRAP NOT RUNNING and exits 1 where no trap has run with this --state', async () => {
    const op = await setUp(undefined, 500, { microForkRate: 0 });
    const result = await status(op, join(op.dir, 'nowhere.json'));
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout.split('\n')[0]).toMatch(/^WARNING: TRAP NOT RUNNING: no state file at .*nowhere\.json/);
    expect(result.stdout).toMatch(/^! trap state/m);
  }, 30_000);

  it('says UNKNOWN and exits 3 where no node answers', async () => {
    const op = await setUp();
    const flags = op.runFlags.map((flag) => (flag === op.sim.url ? 'http://127.0.0.1:9' : flag));
    const result = await runCli(['status', ...flags, '--rpc-timeout', '1000', '--state', join(op.dir, 's.json')], {
      cwd: op.dir,
      timeoutMs: 30_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stdout.split('\n')[0]).toMatch(/^UNKNOWN: the chain could not be read/);
  }, 40_000);
});
