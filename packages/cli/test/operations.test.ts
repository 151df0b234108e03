import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();
let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A local webhook receiver that answers `status` and records the bodies it got. */
async function webhook(status: number): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      bodies.push(body);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-path`, bodies };
}

describe('check', () => {
  it('passes a configuration that can fail over, and fails it once its only backup node is down; broadcasts nothing', async () => {
    const op = await setUp();
    const health = `${op.backupKey}=${op.sim.nodeHealthUrl(op.backupKey)}`;
    const result = await runCli(['check', ...op.runFlags, '--health', health, '--json'], { cwd: op.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ ok: true });

    await op.sim.stopNode(op.backupKey);
    const down = await runCli(['check', ...op.runFlags, '--health', health, '--json'], { cwd: op.dir });
    expect(down.code).toBe(2);
    expect(down.stdout).toMatch(/every backup node is down/);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  });

  it('lists every problem at once and exits 2', async () => {
    const op = await setUp();
    const other = join(op.dir, 'other.keys');
    writeFileSync(other, `${op.me.backupKeys[0]?.privateKey}\n`);
    chmodSync(other, 0o600);
    const result = await runCli(
      [
        'check',
        ...op.chainFlags,
        '--backup-key',
        op.backupKey,
        '--signing-keys-file',
        other,
        '--misses',
        'x',
        '--json',
      ],
      { cwd: op.dir, env: { TWILIO_ACCOUNT_SID: 'AC123' } },
    );
    expect(result.code, result.stderr).toBe(2);
    const record = jsonLines(result.stdout).find((line) => line.event === 'config-error');
    const problems = ((record?.problems as string[] | undefined) ?? []).join('\n');
    expect(problems).toMatch(/--misses: "x"/);
    expect(problems).toMatch(/TWILIO_AUTH_TOKEN is not set/);
    expect(problems).toMatch(/key/);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  });
});

describe('drill', () => {
  /** The witness's state on the test's "real" chain: what the drill must copy. */
  const real = {
    url: 'https://example.invalid/alice-witness-post',
    props: { account_creation_fee: '4.200 HIVE', maximum_block_size: 131072, hbd_interest_rate: 1234 },
    totalMissed: 42,
  };
  type Verdict = {
    ok: boolean;
    findings: string[];
    copied: Record<string, unknown>;
    rehearsal: Record<string, unknown>;
    failover: Record<string, unknown> | null;
    chainId: string;
  };
  const verdictOf = (stdout: string) => jsonLines(stdout).at(-1) as Verdict;

  it("fails over on a copy of the witness (real key, url, props, misses) with the operator's key ring", async () => {
    const op = await setUp(real);
    const hook = await webhook(200);
    const result = await runCli(['drill', ...op.runFlags, '--webhook', hook.url, '--notify', '--json'], {
      cwd: op.dir,
      timeoutMs: 40_000,
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const verdict = verdictOf(result.stdout);
    expect(verdict).toMatchObject({
      ok: true,
      witness: op.me.name,
      findings: [],
      copied: { signingKey: op.me.signingKey, keyHeld: true, url: real.url, props: real.props, totalMissed: 42 },
      // The simulated chain held the copy: the real key on chain, the real url and props.
      rehearsal: { signing_key: op.me.signingKey, url: real.url, props: real.props, total_missed: 42 },
      failover: { fromKey: op.me.signingKey, toKey: op.backupKey, operation: 'witness_set_properties', missedSlots: 1 },
      notifiers: [{ notifier: 'webhook', ok: true }],
    });
    expect(verdict.chainId).not.toBe(op.sim.chainId);
    expect(verdict.copied.activeKey).toBe(op.me.activePublicKey);
    expect(hook.bodies).toHaveLength(1);
    // The real chain (here: the test's) got no broadcast, and no secret was printed.
    expect(op.sim.chain.broadcasts()).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain('secret-path');
    expect(result.stdout + result.stderr).not.toContain(op.me.privateKey);
  }, 50_000);

  it('fails (exit 1) with the reason when the key on chain is not held and no active key is configured; pages nobody without --notify', async () => {
    const op = await setUp();
    const hook = await webhook(200);
    const other = join(op.dir, 'other.keys');
    const backupPrivate = op.me.backupKeys[0]?.privateKey as string;
    writeFileSync(other, `${backupPrivate}\n`);
    chmodSync(other, 0o600);
    const result = await runCli(
      [
        'drill',
        ...op.chainFlags,
        '--backup-key',
        op.backupKey,
        '--signing-keys-file',
        other,
        '--webhook',
        hook.url,
        '--json',
      ],
      { cwd: op.dir, timeoutMs: 40_000 },
    );
    expect(result.code, result.stderr).toBe(1);
    const verdict = verdictOf(result.stdout);
    expect(verdict.ok).toBe(false);
    expect(verdict.findings.join('\n')).toMatch(/no private key held for the current signing key/);
    expect(verdict.findings.join('\n')).toContain(op.me.signingKey);
    expect(verdict.failover).toBeNull();
    expect(hook.bodies).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(backupPrivate);
  }, 50_000);

  it('mirrors a backup node that is down by its health URL: nowhere to switch to, exit 1', async () => {
    const op = await setUp();
    const health = `${op.backupKey}=${op.sim.nodeHealthUrl(op.backupKey)}`;
    await op.sim.stopNode(op.backupKey);
    const result = await runCli(['drill', ...op.runFlags, '--health', health, '--json'], {
      cwd: op.dir,
      timeoutMs: 40_000,
    });
    expect(result.code, result.stderr).toBe(1);
    const verdict = verdictOf(result.stdout) as Verdict & { warnings: string[] };
    expect(verdict.findings.join('\n')).toMatch(/no backup could take over/);
    expect(verdict.warnings.join('\n')).toContain(`the node of backup ${op.backupKey} is down`);
  }, 50_000);

  it('calls a backup equal to the key on chain a configuration error, exit 2', async () => {
    const op = await setUp();
    const result = await runCli(
      ['drill', ...op.chainFlags, '--backup-key', op.me.signingKey, '--signing-keys-file', op.keyFile, '--json'],
      { cwd: op.dir, timeoutMs: 40_000 },
    );
    expect(result.code, result.stderr).toBe(2);
    const verdict = verdictOf(result.stdout);
    expect(verdict.ok).toBe(false);
    expect(verdict.findings.join('\n')).toMatch(/no backup key other than the current signing key/);
    expect(result.stdout + result.stderr).not.toContain(op.me.privateKey);
  }, 50_000);
});

describe('notify-test', () => {
  it('reports a failing notifier with exit 1 and a working one with exit 0', async () => {
    const failing = await webhook(400);
    const bad = await runCli(['notify-test', '--webhook', failing.url, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ ok: false });
    server?.close();
    const working = await webhook(204);
    const good = await runCli(['notify-test', '--webhook', working.url, '--witness', 'alice']);
    expect(good.code, good.stderr).toBe(0);
    expect(working.bodies[0]).toContain('alice');
  }, 60_000);
});

describe('run --daemon with --metrics', () => {
  it('serves /healthz while watching fresh data and stops cleanly on SIGTERM with exit 0', async () => {
    const op = await setUp();
    let health: number | undefined;
    let metrics = '';
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--metrics', '127.0.0.1:0', '--json', '--state', join(op.dir, 's.json')],
      {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStdoutLine: (line, child) => {
          const record = JSON.parse(line) as { event?: string; url?: string };
          if (record.event !== 'metrics' || !record.url) return;
          const url = record.url;
          void (async () => {
            for (let i = 0; i < 50 && health !== 200; i++) {
              health = (await fetch(`${url}/healthz`)).status;
              if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
            }
            metrics = await (await fetch(`${url}/metrics`)).text();
            child.kill('SIGTERM');
          })();
        },
      },
    );
    expect(health).toBe(200);
    expect(metrics).toMatch(/witness_trap_armed\{witness="alice"\} 1/);
    expect(metrics).toMatch(/witness_trap_node_fresh\{node="http:\/\/127\.0\.0\.1:\d+"\} 1/);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).map((record) => record.event)).toContain('stopped');
  }, 40_000);
});
