/**
 * A daemon that tells it is alive (issue 21 items 6 and 7): /healthz never 503 on a healthy chain over a long run
 * (the 10 minutes at 3 s blocks is 200 blocks; here 150 blocks at 200 ms), 503 as soon as a due check is
 * overdue, and one info line per round saying the witness's last slot, the nodes available and the next check.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();
const BLOCKS = 150;

describe('is it alive', () => {
  it('answers /healthz 200 for a whole healthy run, with one round line per slot of the witness', async () => {
    // No micro-forks: an orphaned block of the witness is a real missed slot, and the trap would rightly switch.
    const op = await setUp(undefined, undefined, { microForkRate: 0 });
    const interval = 200;
    const polls: number[] = [];
    const bodies = new Set<string>();
    let url: string | undefined;
    let poller: NodeJS.Timeout | undefined;
    const startHead = op.sim.chain.head().number;
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--json', '--metrics', '127.0.0.1:0', '--state', join(op.dir, 's.json')],
      {
        cwd: op.dir,
        timeoutMs: BLOCKS * interval + 30_000,
        onStdoutLine: (line, child) => {
          const record = JSON.parse(line) as { event?: string; url?: string };
          if (record.event === 'metrics') url = record.url;
          if (record.event !== 'armed' || poller) return;
          poller = setInterval(() => {
            if (op.sim.chain.head().number - startHead >= BLOCKS) {
              clearInterval(poller);
              child.kill('SIGTERM');
              return;
            }
            fetch(`${url}/healthz`).then(
              async (response) => {
                polls.push(response.status);
                if (response.status !== 200) bodies.add(await response.text());
              },
              () => polls.push(-1),
            );
          }, interval / 2);
        },
      },
    );
    clearInterval(poller);
    expect(result.code, result.stderr).toBe(0);
    expect(polls.length).toBeGreaterThan(BLOCKS);
    expect(
      polls.filter((status) => status !== 200),
      [...bodies].join(' | '),
    ).toEqual([]);

    const records = jsonLines(result.stdout);
    const rounds = records.filter((record) => record.event === 'round');
    const slots = op.sim.chain.blocks(startHead).filter((block) => block.witness === op.me.name).length;
    // One line per slot check of the witness (a slot every 5 blocks on this 5-witness chain), each saying it.
    expect(rounds.length).toBeGreaterThanOrEqual(Math.floor(BLOCKS / 5) - 3);
    expect(rounds.length).toBeLessThanOrEqual(slots + 1);
    for (const round of rounds) {
      expect(round).toMatchObject({ level: 'info', produced: true, nodesAvailable: 1, nodesConfigured: 1 });
      expect(round.message).toMatch(/^round: alice produced slot \d+.*; nodes 1\/1 available; next check slot \d+ in /);
    }
  }, 90_000);

  it('answers /healthz 503, saying why, once a due check is overdue (every read hangs)', async () => {
    const op = await setUp(undefined, undefined, { microForkRate: 0 });
    let url: string | undefined;
    let unhealthy: string | undefined;
    let faultAt = 0;
    let unhealthyAt = 0;
    const result = await runCli(
      [
        'run',
        ...op.runFlags,
        '--daemon',
        '--json',
        '--rpc-timeout',
        '1000',
        '--metrics',
        '127.0.0.1:0',
        '--state',
        join(op.dir, 's.json'),
      ],
      {
        cwd: op.dir,
        timeoutMs: 40_000,
        onStdoutLine: (line, child) => {
          const record = JSON.parse(line) as { event?: string; url?: string };
          if (record.event === 'metrics') url = record.url;
          if (record.event !== 'armed') return;
          void op.sim.injectFault({ kind: 'blackhole' }).then(() => {
            faultAt = Date.now();
            const poll = setInterval(async () => {
              const response = await fetch(`${url}/healthz`).catch(() => undefined);
              if (response?.status !== 503) return;
              unhealthy = await response.text();
              unhealthyAt = Date.now();
              clearInterval(poll);
              child.kill('SIGTERM');
            }, 100);
          });
        },
      },
    );
    expect(unhealthy, result.stdout.slice(-3000)).toBeDefined();
    expect(unhealthy).toMatch(/overdue|failing|no slot/);
    // Within a few blocks and one RPC timeout of the fault (a check is overdue 4 blocks after its slot, and the
    // witness has a slot every 5 blocks here), not after a fixed 30 s without a new head.
    expect(unhealthyAt - faultAt).toBeLessThan(10_000);
    // Never silent: the stall is a warning line too, with its reason.
    expect(jsonLines(result.stdout).find((record) => record.level === 'warn' && record.reason)).toBeDefined();
  }, 60_000);
});
