/**
 * Issue 19's acceptance for node faults, as an operator meets them: `witness-trap run` one-shot with two or three
 * `--node`s on the simnet's hostile defaults, one node down, frozen or erroring (from the start, or from just before
 * the primary dies), the primary's node killed. The trap must decide on the nodes it can reach: one switch through
 * the healthy node, landed before the witness's next slot (one missed slot: each kill is placed so that its next
 * slot is 6 or 7 blocks after the missed one), exit 0, and a warning that the run was degraded naming the bad node.
 * Everything is judged on the chain (the key on chain, the slots missed, those lost to a micro-fork left out). The issue's timing targets (the broadcast
 * at most 3 blocks after the missed slot, 4 with three nodes, one down and one 0.6 block late) are figures, not
 * assertions here: packages/reliability/test/long/node-faults-cli.long.ts measures them through the same CLI and
 * docs/reliability.md names each as met or MISSED (a real-clock test cannot tell the trap's latency from a loaded
 * machine's at 300 ms blocks).
 */
import { join } from 'node:path';
import { type Fault, slotsIfMissing } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { jsonLines, type Operator, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

/**
 * Short blocks keep the file fast; 300 ms rather than the 200 ms of the other CLI tests because the bound is counted
 * in blocks and the CLI's own overhead (a child process, HTTP to three ports) is counted in milliseconds.
 */
const INTERVAL_MS = 300;

/** A node fault as the issue names it, and the simnet fault that makes it. */
interface NodeFault {
  name: string;
  fault: Fault;
}

/** The faults of "Done when": down (connections refused), frozen (a stale snapshot), erroring (database lock). */
const TWO_NODE_FAULTS: NodeFault[] = [
  { name: 'down (connections refused)', fault: { kind: 'refuse-connections' } },
  { name: 'frozen (answers from a stale snapshot)', fault: { kind: 'frozen-head' } },
  {
    name: 'erroring ("Unable to acquire database lock" on every call)',
    fault: { kind: 'error-rate', rate: 1, response: 'rpc-server' },
  },
];

const setUpOperator = operatorPerTest();

/** The operator (a hostile simnet, its defaults) with `endpoints` API nodes, and the `run` flags for all of them. */
async function setUp(endpoints: number): Promise<Setup> {
  // Seven witnesses: the operator's slot comes round every seven blocks, so the test waits less for it than with 21,
  // and a switch within the bound still lands before the next one.
  const op = await setUpOperator(undefined, INTERVAL_MS, { endpoints, witnesses: 7, seed: 'nodes' });
  return { ...op, args: ['run', ...op.runFlags, '--json', '--state', join(op.dir, 'state.json')] };
}

/** An operator and the flags of its `run`. */
type Setup = Operator & { args: string[] };

/** What one run did, on the chain and in its output. */
interface Outcome {
  code: number | null;
  records: Array<Record<string, unknown>>;
  /** Slots the witness missed. */
  missed: number;
  /** Key switches applied on chain. */
  switches: number;
  /** The key on chain after the run. */
  keyOnChain: string | undefined;
  /** Blocks (unrounded) from the first missed slot to the first broadcast of the transaction that landed. */
  blocksToBroadcast: number;
  /** The figures and the end of the output, for a failure message. */
  why: string;
}

/**
 * Runs `run` one-shot; once it is armed, and at least a block before a slot of the witness that is followed by
 * `gap` slots of others (a switch broadcast within the bound then lands before the witness's next slot, as on Hive
 * where its next slot is a round of 21 away; without this, a shuffle that puts it twice in a row would count a
 * second miss against the trap), `beforeKill` injects what it must and the primary's node is killed. After the run
 * ends, a few blocks pass so that a slot missed late (a switch that came too late) shows on chain.
 */
async function runThroughKill(
  setup: Setup,
  gap: number,
  beforeKill: () => Promise<void> = async () => {},
): Promise<Outcome> {
  const { sim, me } = setup;
  let killing = false;
  let watch: NodeJS.Timeout | undefined;
  const result = await runCli(setup.args, {
    cwd: setup.dir,
    timeoutMs: 25_000,
    onStdoutLine: (line) => {
      if (watch !== undefined || !line.includes('"event":"armed"')) return;
      watch = setInterval(() => {
        const slots = slotsIfMissing(sim.chain, me.name, 2);
        const head = sim.chain.head();
        const [missed = 0, next = 0] = slots ?? [];
        if (killing || next - missed < gap) return;
        const lead = (missed - head.aslot) * INTERVAL_MS - (Date.now() - head.time);
        if (lead < INTERVAL_MS) return;
        killing = true;
        clearInterval(watch);
        void beforeKill().then(() => sim.stopNode(me.signingKey));
      }, 10);
    },
  });
  clearInterval(watch);
  await new Promise((resolve) => setTimeout(resolve, 8 * INTERVAL_MS));
  // A slot whose block a one-block micro-fork orphaned (the hostile simnet's 0.5 % a block) is the chain's doing, not
  // the dead node's: no watcher can save it, so it is left out (it once failed this file: "2 missed", the second a
  // forked block of the backup, produced in time).
  const misses = sim.chain.missedSlots(me.name).filter((m) => !m.forked);
  const landed = sim.chain.keySwitches(me.name);
  const sentAt = sim.chain
    .broadcasts()
    .filter((b) => b.txId !== undefined && b.txId === landed[0]?.id)
    .map((b) => b.at);
  const firstMiss = misses[0]?.slotTime;
  const blocksToBroadcast =
    firstMiss === undefined || sentAt.length === 0 ? Number.NaN : (Math.min(...sentAt) - firstMiss) / INTERVAL_MS;
  const figures = { code: result.code, misses, switchedIn: landed.map((t) => t.blockNum), blocksToBroadcast };
  return {
    code: result.code,
    records: jsonLines(result.stdout),
    missed: misses.length,
    switches: landed.length,
    keyOnChain: sim.chain.witness(me.name)?.signing_key,
    blocksToBroadcast,
    why: `${JSON.stringify(figures)}\n${result.stderr.slice(-1000)}\n${result.stdout.slice(-3000)}`,
  };
}

/** The host part of a node URL, as the CLI prints it (safeUrl: scheme and host only). */
const hostOf = (url: string) => new URL(url).host;

/**
 * The run's warnings that it ran degraded: `record` names the node somewhere (what a log shipper reading the JSON
 * lines gets), `message` names it in the line itself (all a person at a terminal sees).
 */
function degradedWarnings(records: Array<Record<string, unknown>>, url: string) {
  const warnings = records.filter((r) => r.level === 'warn' && /degraded/i.test(String(r.message)));
  return {
    record: warnings.some((r) => JSON.stringify(r).includes(hostOf(url))),
    message: warnings.some((r) => String(r.message).includes(hostOf(url))),
  };
}

/** The assertions of "Done when", on the chain and in the output. */
function expectSwitchedThroughTheOther(outcome: Outcome, setup: Setup, badUrl: string): void {
  const { why } = outcome;
  expect(outcome.code, why).toBe(0);
  expect(outcome.switches, why).toBe(1);
  expect(outcome.keyOnChain).toBe(setup.backupKey);
  expect(outcome.missed, why).toBe(1);
  expect(degradedWarnings(outcome.records, badUrl), `a degraded warning naming ${badUrl}\n${why}`).toEqual({
    record: true,
    message: true,
  });
}

describe('run one-shot with two nodes, one of them bad', () => {
  it('control: both nodes healthy, one switch, one missed slot, exit 0', async () => {
    const setup = await setUp(2);
    const outcome = await runThroughKill(setup, 6);
    const { why } = outcome;
    expect(outcome.code, why).toBe(0);
    expect(outcome.switches, why).toBe(1);
    expect(outcome.missed, why).toBe(1);
  }, 60_000);

  for (const { name, fault } of TWO_NODE_FAULTS) {
    it(`one node ${name} from the start: one switch through the other, one missed slot, exit 0, degraded said`, async () => {
      const setup = await setUp(2);
      await setup.sim.injectFault(fault, { endpoint: 1 });
      const outcome = await runThroughKill(setup, 6);
      expectSwitchedThroughTheOther(outcome, setup, setup.sim.urls[1] ?? '');
    }, 60_000);

    it(`one node ${name} from just before the primary dies: the same`, async () => {
      const setup = await setUp(2);
      const outcome = await runThroughKill(setup, 6, async () => {
        await setup.sim.injectFault(fault, { endpoint: 0 });
      });
      expectSwitchedThroughTheOther(outcome, setup, setup.sim.urls[0] ?? '');
    }, 60_000);
  }
});

describe('run one-shot with three nodes', () => {
  it('one down and one answering 0.6 block late: one switch, one missed slot, exit 0', async () => {
    const setup = await setUp(3);
    await setup.sim.injectFault({ kind: 'refuse-connections' }, { endpoint: 0 });
    await setup.sim.injectFault({ kind: 'latency', ms: 0.6 * INTERVAL_MS }, { endpoint: 1 });
    const outcome = await runThroughKill(setup, 7);
    const { why } = outcome;
    expect(outcome.code, why).toBe(0);
    expect(outcome.switches, why).toBe(1);
    expect(outcome.keyOnChain).toBe(setup.backupKey);
    expect(outcome.missed, why).toBe(1);
  }, 60_000);
});
