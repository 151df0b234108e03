/**
 * The chain id (issue 21 item 1): the commands that sign read each node's chain id first, refuse a mismatch with both
 * ids (exit 2, nothing broadcast), and sign for the nodes' chain where `--chain-id` is unset and every node agrees.
 * A broadcast a node refuses says which node and why.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const MAINNET = 'beeab0de00000000000000000000000000000000000000000000000000000000';
const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';
const setUp = operatorPerTest();

/** Flags without `--chain-id` (the operator forgot it). */
const withoutChainId = (flags: string[]) => {
  const at = flags.indexOf('--chain-id');
  return at < 0 ? flags : [...flags.slice(0, at), ...flags.slice(at + 2)];
};

const said = (text: string) =>
  jsonLines(text)
    .map((record) => [record.message, ...((record.problems as string[] | undefined) ?? [])].join('\n'))
    .join('\n');

describe('a --chain-id that is not the nodes’ chain', () => {
  it('is refused by check, run, switch, disable, enable and drill with both ids, exit 2, nothing broadcast', async () => {
    const op = await setUp();
    const wrong = withoutChainId(op.runFlags).concat('--chain-id', MAINNET);
    const admin = withoutChainId(op.chainFlags).concat('--chain-id', MAINNET, '--signing-keys-file', op.keyFile);
    const lines = [
      ['check', ...wrong],
      ['run', ...wrong],
      ['drill', ...wrong],
      ['switch', ...admin, '--to', op.backupKey, '--yes'],
      ['disable', ...admin, '--yes'],
      ['enable', ...admin, '--to', op.me.signingKey, '--yes'],
    ];
    const results = await Promise.all(lines.map((args) => runCli(args, { cwd: op.dir, timeoutMs: 30_000 })));
    results.forEach((result, index) => {
      const command = lines[index]?.[0];
      expect(result.code, `${command}\n${result.stderr}`).toBe(2);
      const text = said(result.stderr + result.stdout);
      expect(text, command).toContain(`is on chain ${op.sim.chainId}`);
      expect(text, command).toContain(`${MAINNET} (Hive mainnet)`);
    });
    expect(op.sim.chain.broadcasts()).toEqual([]);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);
  }, 60_000);
});

describe('no --chain-id', () => {
  it('signs for the chain every node is on: disable lands without --chain-id', async () => {
    const op = await setUp();
    const result = await runCli(
      ['disable', ...withoutChainId(op.chainFlags), '--signing-keys-file', op.keyFile, '--yes', '--json'],
      { cwd: op.dir, timeoutMs: 30_000 },
    );
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(NULL_KEY);
    const told = jsonLines(result.stdout).find((record) => record.event === 'chain-id');
    expect(told).toMatchObject({ chainId: op.sim.chainId, source: 'nodes' });
  }, 40_000);
});

describe('a node that does not answer the chain id probe', () => {
  it("is named in a warning before the command goes on (here: refused for the other node's mismatch)", async () => {
    const op = await setUp();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const args = withoutChainId(op.chainFlags).concat('--chain-id', MAINNET, '--node', closedUrl);
    const result = await runCli(['disable', ...args, '--signing-keys-file', op.keyFile, '--yes'], {
      cwd: op.dir,
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(2);
    const warning = jsonLines(result.stderr).find((record) => record.event === 'chain-id' && record.level === 'warn');
    expect(warning?.message).toBe(`node ${closedUrl} did not say which chain it is on (ECONNREFUSED)`);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  }, 40_000);
});

describe('a refused broadcast', () => {
  it("shows each node's reason in the broadcast log line", async () => {
    const op = await setUp();
    await op.sim.injectFault({ kind: 'not-enough-rc' });
    const keys = join(op.dir, 'primary.keys');
    writeFileSync(keys, `${op.me.privateKey}\n`);
    chmodSync(keys, 0o600);
    const result = await runCli(
      ['switch', ...op.chainFlags, '--signing-keys-file', keys, '--to', op.backupKey, '--yes', '--json'],
      { cwd: op.dir, timeoutMs: 45_000 },
    );
    expect(result.code, result.stderr + result.stdout).toBe(1);
    const broadcasts = jsonLines(result.stdout).filter((record) => record.event === 'broadcast');
    expect(broadcasts.length).toBeGreaterThan(0);
    for (const record of broadcasts) {
      expect(record.message).toMatch(new RegExp(`refused by ${op.sim.url.replace(/[.:/]/g, '\\$&')} \\(.*RC`, 'i'));
    }
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);
  }, 60_000);
});

describe('check with one node of two dead (issue 21 item 4, issue 19 rule)', () => {
  /** Runs `check` with the simnet's node and a node that accepts connections and never answers (the slow way to be dead). */
  async function checkWithDeadNode(extra: string[] = []) {
    const op = await setUp();
    const dead = createServer(() => {});
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const seen: Array<{ at: number; record: Record<string, unknown> }> = [];
      let partial = '';
      const result = await runCli(['check', ...op.runFlags, '--node', deadUrl, '--rpc-timeout', '2000', ...extra], {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStderr: (chunk) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const record of jsonLines(lines.join('\n'))) seen.push({ at: Date.now() - started, record });
        },
      });
      return { op, deadUrl, seen, result, elapsed: Date.now() - started };
    } finally {
      dead.close();
    }
  }

  it("prints each node's verdict as it arrives, the dead one within the RPC timeout, then a warning that the trap runs DEGRADED", async () => {
    const { op, deadUrl, seen, result, elapsed } = await checkWithDeadNode();
    const verdicts = seen.filter(({ record }) => record.event === 'node');
    const live = verdicts.find(({ record }) => record.url === op.sim.url);
    const gone = verdicts.find(({ record }) => record.url === deadUrl);
    expect(live?.record).toMatchObject({ reachable: true, chainId: op.sim.chainId, missingMethods: [] });
    expect(String(live?.record.message)).toMatch(/reachable, chain .*head #\d+ [\d.]+ s old, serves every method/);
    expect(gone?.record).toMatchObject({ reachable: false, error: 'no answer within 2 s' });
    // The live node's verdict does not wait for the dead one's.
    expect(live?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(gone?.at ?? 0);
    // The trap decides on the available node: not a problem, a warning that it would run DEGRADED, exit 0 (ok, with
    // its notes, as every warning of check).
    const plan = seen.find(({ record }) => record.event === 'nodes');
    expect(plan?.record).toMatchObject({ level: 'warn', degraded: true });
    expect(String(plan?.record.message)).toMatch(/1 of 2 nodes answered .*decides when 1 of the 1 available agree/);
    const notes = seen
      .filter(({ record }) => record.event === 'check-note')
      .map(({ record }) => String(record.message));
    expect(notes).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^DEGRADED: 1 of 2 nodes answered.*run DEGRADED.*two reads a block apart.*${deadUrl} did not answer`,
        ),
      ),
    );
    expect(result.code, result.stderr).toBe(0);
    // The witness was still read (through the node that answered): the rest of the report is there.
    expect(seen.some(({ record }) => record.event === 'key')).toBe(true);
    // The whole check within a few RPC timeouts, not 30 s of silence.
    expect(elapsed).toBeLessThan(12_000);
  }, 40_000);

  it('with --min-nodes 2: a problem saying the trap would wait, exit 2', async () => {
    const { deadUrl, seen, result } = await checkWithDeadNode(['--min-nodes', '2']);
    const plan = seen.find(({ record }) => record.event === 'nodes');
    expect(String(plan?.record.message)).toMatch(/1 of 2 nodes answered, and the trap decides only when at least 2/);
    expect(result.code, result.stderr).toBe(2);
    expect(said(result.stderr)).toMatch(
      new RegExp(`WAIT, acting on nothing; fix or remove ${deadUrl}, lower --min-nodes`),
    );
  }, 40_000);
});
