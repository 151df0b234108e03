/**
 * Node faults through the CLI (issue 19): `witness-trap run` one-shot with two `--node`s, one of them down,
 * blackholed, frozen, erroring ("Unable to acquire database lock") or slow by 0.6 block, from the start or from just
 * before the primary dies; and three nodes, one down and one 0.6 block late. On the simnet's hostile defaults at
 * 300 ms blocks. Each run's figures come off the chain and the exit code: slots missed, blocks from the missed slot
 * to the first broadcast of the switch that landed (unrounded), exit code; the verdict is judgeNodeFaultRun's. The
 * test asserts the outcome on chain (one missed slot, the switch landed through the healthy node, exit 0); the
 * timing target (blocks to the broadcast) is a figure of the run, named in the report as met or MISSED.
 *
 * `RELIABILITY_CLI_LOG_DIR=<dir>` keeps each run's CLI log (at debug level) in that directory, for repeated runs of
 * one scenario (`-t`) whose tail is to be explained.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Fault, slotsIfMissing } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { startCli } from '../../src/cli-process.js';
import { judgeNodeFaultRun, type NodeFaultRun } from '../../src/figures.js';
import { recordFinding } from '../../src/findings.js';
import { type OperatorSetup, operatorPerTest } from '../../src/operator-setup.js';

const setup = operatorPerTest();
/**
 * 300 ms blocks, as in the CLI's own node-fault tests: the bounds are in blocks and the CLI's overhead (a child
 * process, HTTP to each node, signing) in milliseconds, a fifth of a block at 200 ms and a hundredth at Hive's 3 s.
 */
const INTERVAL = 300;
/**
 * The CLI's RPC timeout scaled to these short blocks as the default (5 s) stands to Hive's 3 s ones: 1.67 blocks. At
 * its default a blackholed node would hold a read for 25 blocks here, a figure of the test's pace, not of the trap.
 */
const RPC_TIMEOUT_MS = Math.round((5000 * INTERVAL) / 3000);

/**
 * The node faults of issue 19, as the simnet makes them, and the bound on blocks from the missed slot to the
 * broadcast: 3 with one of two nodes unavailable ("Done when"); 4 with a slow node, which stays available and must
 * agree (the bound for its slow node, with three nodes).
 */
const FAULTS: Array<{ name: string; fault: Fault; maxBlocks: number }> = [
  { name: 'down (connections refused)', fault: { kind: 'refuse-connections' }, maxBlocks: 3 },
  { name: 'blackholed (connection accepted, never answered)', fault: { kind: 'blackhole' }, maxBlocks: 3 },
  { name: 'frozen (a stale snapshot)', fault: { kind: 'frozen-head' }, maxBlocks: 3 },
  {
    name: 'erroring ("Unable to acquire database lock")',
    fault: { kind: 'error-rate', rate: 1, response: 'rpc-server' },
    maxBlocks: 3,
  },
  { name: 'slow (every answer 0.6 block late)', fault: { kind: 'latency', ms: 0.6 * INTERVAL }, maxBlocks: 4 },
];

/**
 * Kills the primary's node (after `beforeKill`) at least a block before a slot of the witness that the next one
 * follows by `gap` slots or more: a shuffle that puts the witness twice in a row would charge a second miss that no
 * watcher could prevent (on Hive its next slot is a round of 21 away). Not before the chain has an irreversible block,
 * as every real chain has: the trap anchors its switch's TaPoS there, and in the simnet's first blocks, with none
 * yet, it anchors at the head, which a micro-fork can orphan (the switch is then re-signed once its transaction
 * expires: one run took 5.08 blocks that way). Resolves once it is killed.
 */
function killBeforeASlot(op: OperatorSetup, gap: number, beforeKill: () => Promise<unknown>): Promise<void> {
  const { sim, me } = op;
  return new Promise((resolve, reject) => {
    let busy = false;
    const timer = setInterval(() => {
      const [missed = 0, next = 0] = slotsIfMissing(sim.chain, me.name, 2) ?? [];
      const head = sim.chain.head();
      const lead = (missed - head.aslot) * INTERVAL - (Date.now() - head.time);
      if (busy || next - missed < gap || lead < INTERVAL || head.lastIrreversibleBlockNum < 1) return;
      busy = true;
      clearInterval(timer);
      beforeKill()
        .then(() => sim.stopNode(me.signingKey))
        .then(resolve, reject);
    }, 10);
  });
}

/** The figures of a run, off the chain: see {@link NodeFaultRun}. Slots lost to a micro-fork are left out. */
function figuresOf(op: OperatorSetup, exitCode: number | string): NodeFaultRun {
  const { sim, me } = op;
  // A slot whose block a one-block micro-fork orphaned (the hostile simnet's, 0.5 % a block) is the chain's doing, not
  // a slot the dead node missed, and no watcher can prevent it: one that fell before the trap armed once made a
  // passing run read "2 missed slots, broadcast 22 blocks after the missed slot" (the miss a round before the kill).
  const misses = sim.chain.missedSlots(me.name).filter((m) => !m.forked);
  const landed = sim.chain.keySwitches(me.name)[0];
  const sentAt = sim.chain
    .broadcasts()
    .filter((b) => landed !== undefined && b.txId === landed.id)
    .map((b) => b.at);
  const firstMiss = misses[0]?.slotTime;
  return {
    missedSlots: misses.length,
    blocksToBroadcast:
      firstMiss === undefined || sentAt.length === 0 ? Number.NaN : (Math.min(...sentAt) - firstMiss) / INTERVAL,
    exitCode,
  };
}

/**
 * One scenario: `run` one-shot over `endpoints` nodes, `before` injected at the start, `atKill` just before the
 * primary dies; the figures judged against `maxBlocks`, recorded, then asserted.
 */
async function scenario(options: {
  endpoints: number;
  before?: Array<{ fault: Fault; endpoint: number }>;
  atKill?: Array<{ fault: Fault; endpoint: number }>;
  maxBlocks: number;
  injected: string;
}): Promise<void> {
  const op = await setup({ endpoints: options.endpoints, blockIntervalMs: INTERVAL });
  const { sim, me, backupKeys } = op;
  for (const { fault, endpoint } of options.before ?? []) await sim.injectFault(fault, { endpoint });
  const logDir = process.env.RELIABILITY_CLI_LOG_DIR;
  const args = [...op.runArgs, '--rpc-timeout', String(RPC_TIMEOUT_MS), ...(logDir ? ['--log-level', 'debug'] : [])];
  const run = await startCli(args, { env: op.env, cwd: op.dir });
  await run.waitForRecord((r) => r.event === 'armed', 30_000);
  await killBeforeASlot(op, options.maxBlocks + 3, () =>
    Promise.all((options.atKill ?? []).map(({ fault, endpoint }) => sim.injectFault(fault, { endpoint }))),
  );
  const timer = setTimeout(() => run.child.kill('SIGTERM'), 30_000);
  const exitCode = await run.exited;
  clearTimeout(timer);
  // A few more blocks: a switch that came too late shows as a second miss.
  await new Promise((resolve) => setTimeout(resolve, 8 * INTERVAL));
  const figures = figuresOf(op, exitCode);
  const verdict = judgeNodeFaultRun(figures, options.maxBlocks);
  const forkMisses = op.sim.chain.missedSlots(op.me.name).filter((m) => m.forked).length;
  const degraded = run.records().some((r) => r.level === 'warn' && /degraded/i.test(String(r.message)));
  recordFinding({
    area: 'node faults through the CLI',
    injected: `${options.injected}; --rpc-timeout ${RPC_TIMEOUT_MS} (5 s at Hive's pace)`,
    happened:
      `${figures.missedSlots} missed slot(s); broadcast ${figures.blocksToBroadcast.toFixed(2)} blocks after the ` +
      `missed slot (bound ${options.maxBlocks}); exit ${figures.exitCode}; degraded warning: ${degraded ? 'yes' : 'no'}; ` +
      `missed slot(s) lost to a micro-fork, not counted: ${forkMisses}; outcome ${verdict.text}; ${verdict.target}`,
    figures: {
      ...figures,
      forkMisses,
      degradedWarning: degraded,
      maxBlocks: options.maxBlocks,
      withinTarget: verdict.withinTarget,
    },
  });
  if (logDir) {
    // The CLI's whole log at debug level, one file per run, named for when it ended and its figure: what a run over
    // its bound did, read with the chain's timeline beside it.
    const name = `${Date.now()}-${figures.blocksToBroadcast.toFixed(2)}.jsonl`;
    await writeFile(
      join(logDir, name),
      run
        .records()
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
  }
  // What the CLI said, for a failure: its warnings and decisions, with their times.
  const said = run
    .records()
    .filter((r) => r.level !== 'info' || ['triggered', 'broadcast', 'confirmed', 'armed'].includes(String(r.event)))
    .map((r) => `${String(r.time).slice(11, 23)} ${String(r.message).slice(0, 240)}`)
    .slice(-25)
    .join('\n');
  expect(verdict.text, said).toBe('pass');
  expect(sim.chain.witness(me.name)?.signing_key).toBe(backupKeys[0]);
}

describe('run one-shot, two nodes, one bad', () => {
  for (const { name, fault, maxBlocks } of FAULTS) {
    it(`one node ${name} from the start: one missed slot, broadcast within ${maxBlocks} blocks of it, exit 0`, async () => {
      await scenario({
        endpoints: 2,
        before: [{ fault, endpoint: 1 }],
        maxBlocks,
        injected: `2 nodes, the second ${name} from the start (${JSON.stringify(fault)}); primary killed`,
      });
    }, 90_000);

    it(`one node ${name} from just before the primary dies: the same`, async () => {
      await scenario({
        endpoints: 2,
        atKill: [{ fault, endpoint: 0 }],
        maxBlocks,
        injected: `2 nodes, the first ${name} from just before the primary is killed (${JSON.stringify(fault)})`,
      });
    }, 90_000);
  }
});

describe('run one-shot, three nodes', () => {
  it('one down and one 0.6 block late from the start: one missed slot, broadcast within 4 blocks of it, exit 0', async () => {
    await scenario({
      endpoints: 3,
      before: [
        { fault: { kind: 'refuse-connections' }, endpoint: 0 },
        { fault: { kind: 'latency', ms: 0.6 * INTERVAL }, endpoint: 1 },
      ],
      maxBlocks: 4,
      injected: '3 nodes: the first refusing connections, the second answering 0.6 block late; primary killed',
    });
  }, 90_000);
});
