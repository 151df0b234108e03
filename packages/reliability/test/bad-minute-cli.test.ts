/**
 * The bad minute as an operator meets it (issue 12, item 9): `witness-trap run --daemon` with keys K1 (primary) and
 * K2 (one backup). K1 dies, the daemon fails over to K2; K2's node then misses a slot (a blip) while K1 is still
 * dead. Nothing is left to switch to: the daemon must keep guarding, not exit. With `--kill-switch` and K2 really
 * dead, the witness is disabled and the exit code tells systemd not to restart.
 */
import { expect, it } from 'vitest';
import { startCli } from '../src/cli-process.js';
import { recordFinding } from '../src/findings.js';
import { type OperatorSetup, operatorPerTest } from '../src/operator-setup.js';

const setup = operatorPerTest();

/** `run` flags with only the first backup key (K2): the primary and one backup, as in the issue. */
function oneBackup(op: OperatorSetup): string[] {
  const args = [...op.runArgs];
  const second = op.backupKeys[1] ?? '';
  const at = args.indexOf(second);
  args.splice(at - 1, 2);
  return args;
}

const isEvent = (name: string) => (record: Record<string, unknown>) => record.event === name;

it('an exhausted daemon keeps watching and alerting, and sees the backup come back (no exit)', async () => {
  const op = await setup();
  const { sim, me, backupKeys } = op;
  const k2 = backupKeys[0] ?? '';
  const run = await startCli([...oneBackup(op), '--daemon'], { env: op.env, cwd: op.dir });
  await run.waitForRecord(isEvent('armed'), 30_000);
  await sim.stopNode(me.signingKey);
  await run.waitForRecord((r) => r.event === 'confirmed' && r.toKey === k2, 30_000);
  // K2 blips: its node misses a slot while K1 is still dead.
  await sim.stopNode(k2);
  await run.waitForRecord(isEvent('exhausted'), 30_000);
  await sim.startNode(k2);
  await run.waitForRecord((r) => r.event === 'recovered' && r.key === k2, 30_000);
  // Still running: the watcher is there for the next incident.
  expect(run.child.exitCode).toBeNull();
  run.child.kill('SIGTERM');
  const code = await run.exited;
  expect(code).toBe(0);
  expect(sim.chain.witness(me.name)?.signing_key).toBe(k2);
  expect(sim.chain.keySwitches(me.name)).toHaveLength(1);
  expect(run.records().filter(isEvent('exhausted'))).toHaveLength(1);
  const told = op.receiver.messages().filter((m) => m.vendor === 'webhook' && m.kind === 'exhausted');
  expect(told).toHaveLength(1);
  recordFinding({
    area: 'bad minute: exhausted daemon (CLI)',
    injected: 'run --daemon with K1, K2: K1 dies, fail over to K2; K2 misses one slot while K1 is still dead',
    happened: `exhausted said once and notified, the daemon kept watching, saw K2 recover; SIGTERM exit ${code}`,
  });
}, 90_000);

it('with --kill-switch and every key really dead: the null key, exit 3 (systemd: do not restart)', async () => {
  const op = await setup();
  const { sim, me, backupKeys } = op;
  const k2 = backupKeys[0] ?? '';
  const run = await startCli([...oneBackup(op), '--daemon', '--kill-switch'], { env: op.env, cwd: op.dir });
  await run.waitForRecord(isEvent('armed'), 30_000);
  await sim.stopNode(me.signingKey);
  await run.waitForRecord((r) => r.event === 'confirmed' && r.toKey === k2, 30_000);
  await sim.stopNode(k2);
  const timer = setTimeout(() => run.child.kill('SIGTERM'), 40_000);
  const code = await run.exited;
  clearTimeout(timer);
  expect(code).toBe(3);
  expect(sim.chain.witness(me.name)?.signing_key).toBe('STM1111111111111111111111111111111114T1Anm');
  expect(sim.chain.keySwitches(me.name)).toHaveLength(2);
}, 90_000);

it('nodes unreadable after the broadcast, then readable: "unconfirmed" once, then confirmed in its block, exit 0', async () => {
  const op = await setup();
  const { sim, me, backupKeys } = op;
  const reads = [
    'condenser_api.get_dynamic_global_properties',
    'condenser_api.get_witness_by_account',
    'condenser_api.get_block',
  ];
  const run = await startCli(op.runArgs, { env: op.env, cwd: op.dir });
  await run.waitForRecord(isEvent('armed'), 30_000);
  await sim.stopNode(me.signingKey);
  await run.waitForRecord(isEvent('broadcast'), 30_000);
  const fault = await sim.injectFault({ kind: 'error-rate', methods: reads });
  // The transaction's lifetime (3 s at these 200 ms blocks) passes with nothing readable.
  await run.waitForRecord(isEvent('unconfirmed'), 20_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await fault.remove();
  const timer = setTimeout(() => run.child.kill('SIGTERM'), 30_000);
  const code = await run.exited;
  clearTimeout(timer);
  expect(code).toBe(0);
  const switches = sim.chain.keySwitches(me.name);
  expect(switches).toHaveLength(1);
  expect(sim.chain.witness(me.name)?.signing_key).toBe(backupKeys[0]);
  expect(run.records().filter(isEvent('unconfirmed'))).toHaveLength(1);
  expect(run.records().filter(isEvent('confirmed'))).toMatchObject([
    { blockNum: switches[0]?.blockNum, byPeer: false },
  ]);
  const readErrors = run.records().filter((r) => r.event === 'error' && r.during === 'confirm').length;
  expect(readErrors).toBeLessThanOrEqual(6);
  expect(op.receiver.messages().filter((m) => m.vendor === 'webhook' && m.kind === 'unconfirmed')).toHaveLength(1);
}, 90_000);
