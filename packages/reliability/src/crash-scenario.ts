/**
 * kill -9 of `witness-trap run` at one step of a failover, then a restart from the same state file: the chain must
 * show exactly one switch and the operator must not get a second message about it. The kill is aimed by what the
 * product itself shows (a JSON-lines event, the state file, the chain) and held in place by a simnet fault where the
 * process would otherwise run past the step; nothing in the product knows it is being tested.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FaultHandle } from '@witness-trap/simnet';
import { type CliChild, startCli } from './cli-process.js';
import type { OperatorSetup } from './operator-setup.js';

/** Where in a failover the process dies. */
export type CrashStep = 'before sign' | 'after sign' | 'after broadcast' | 'before confirm' | 'after confirm';

/** Every step, in failover order. */
export const CRASH_STEPS: CrashStep[] = [
  'before sign',
  'after sign',
  'after broadcast',
  'before confirm',
  'after confirm',
];

/** What one crash-and-restart did. */
export interface CrashResult {
  step: CrashStep;
  /** What the state file held when the process died. */
  pendingAtKill: boolean;
  /** Whether the switch was already on chain when the process died. */
  onChainAtKill: boolean;
  /** Key switches applied on chain in all. */
  switches: number;
  /** The witness's signing key at the end. */
  finalKey: string | undefined;
  /** The restarted process's exit (a number, or the signal that ended it). */
  restartExit: number | string;
  /** The restarted process's JSON records. */
  restartEvents: string[];
  /** Operator messages per vendor and kind, across both runs. */
  messages: Record<string, number>;
  /** Missed slots charged to the witness. */
  misses: number;
  stdout: string;
  stderr: string;
}

const BROADCAST_METHODS = [
  'condenser_api.broadcast_transaction',
  'network_broadcast_api.broadcast_transaction',
  'condenser_api.broadcast_transaction_synchronous',
];
const WITNESS_METHODS = ['condenser_api.get_witness_by_account', 'database_api.find_witnesses'];

function statePending(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { pending?: unknown }).pending !== undefined;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Kills the process at `step` of the failover it is making. */
async function killAt(step: CrashStep, run: CliChild, op: OperatorSetup): Promise<FaultHandle[]> {
  const { sim, me, statePath } = op;
  const faults: FaultHandle[] = [];
  const event = (name: string) => run.waitForRecord((r) => r.event === name, 30_000);
  switch (step) {
    case 'before sign':
      // Once the miss is seen, every answer is slowed: the read for TaPoS cannot finish before the kill.
      await event('missed');
      faults.push(await sim.injectFault({ kind: 'latency', ms: 1500 }));
      await event('triggered');
      break;
    case 'after sign':
      // Broadcasts are held up, so the signed switch sits in the state file while nothing has reached the chain.
      faults.push(await sim.injectFault({ kind: 'latency', ms: 3000, methods: BROADCAST_METHODS }));
      await until(() => statePending(statePath), 30_000);
      break;
    case 'after broadcast':
      await event('broadcast');
      break;
    case 'before confirm':
      // The switch lands while the confirming reads are held up: on chain, not yet confirmed by the process.
      await event('broadcast');
      faults.push(await sim.injectFault({ kind: 'latency', ms: 3000, methods: WITNESS_METHODS }));
      await until(() => sim.chain.witness(me.name)?.signing_key !== me.signingKey, 10_000);
      break;
    case 'after confirm':
      await event('confirmed');
      break;
  }
  run.child.kill('SIGKILL');
  await run.exited;
  return faults;
}

/**
 * Runs the trap, kills it at `step`, restarts it with the same state and lets it finish (a one-shot exits once the
 * switch is confirmed; one that finds it already done re-arms on the new key and is stopped after a few blocks).
 */
export async function crashAndRestart(op: OperatorSetup, step: CrashStep): Promise<CrashResult> {
  const { sim, me } = op;
  const first = await startCli(op.runArgs, { env: op.env, cwd: op.dir });
  await first.waitForRecord((r) => r.event === 'armed', 30_000);
  await sim.stopNode(me.signingKey);
  const faults = await killAt(step, first, op);
  const pendingAtKill = statePending(op.statePath);
  const onChainAtKill = sim.chain.witness(me.name)?.signing_key !== me.signingKey;
  await Promise.all(faults.map((f) => f.remove()));

  const second = await startCli(op.runArgs, { env: op.env, cwd: op.dir });
  const done = await Promise.race([
    second.exited.then(() => 'exited' as const),
    second
      .waitForRecord((r) => r.event === 'armed' && r.currentKey !== me.signingKey, 60_000)
      .then(() => 'armed-on-new-key' as const),
  ]).catch(() => 'timeout' as const);
  if (done !== 'exited') {
    // Long enough for a duplicate message or a second switch to show up, were there going to be one.
    await new Promise((resolve) => setTimeout(resolve, 30 * 200));
    second.child.kill('SIGTERM');
  }
  const restartExit = await second.exited;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const messages: Record<string, number> = {};
  for (const m of op.receiver.messages()) {
    const key = `${m.vendor}${m.kind === undefined ? '' : `:${m.kind}`}`;
    messages[key] = (messages[key] ?? 0) + 1;
  }
  const switches = sim.chain
    .transactions()
    .filter((t) => t.operations.some(([name]) => name === 'witness_set_properties' || name === 'witness_update'));
  return {
    step,
    pendingAtKill,
    onChainAtKill,
    switches: switches.length,
    finalKey: sim.chain.witness(me.name)?.signing_key,
    restartExit,
    restartEvents: second.records().map((r) => String(r.event)),
    messages,
    misses: sim.chain.missedSlots().filter((m) => m.witness === me.name).length,
    stdout: first.stdout() + second.stdout(),
    stderr: first.stderr() + second.stderr(),
  };
}
