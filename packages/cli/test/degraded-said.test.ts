/**
 * Never silent about a bad node (issue 19): a daemon started with one of its two nodes down names that node, since
 * when and why, in the text of its lines from the start (not only in a JSON field), marks its round lines DEGRADED,
 * keeps /healthz at 200 with a body that says DEGRADED, makes `status` a WARNING: DEGRADED (exit 1), and says when
 * the node is back.
 */
import { join } from 'node:path';
import type { FaultHandle } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { type CliRun, runCli } from './harness.js';

const setUp = operatorPerTest();

/** `127.0.0.1:PORT` of a node URL: how the CLI names a node (scheme and host only). */
const hostOf = (url: string) => new URL(url).host;

describe('a daemon with one of two nodes down from the start', () => {
  it('names the node in its lines, marks rounds, /healthz and status DEGRADED, and says when it is back', async () => {
    // No micro-forks: an orphaned block of the witness is a real missed slot and the trap would rightly switch; this
    // test is about what is said while degraded, and a switch would end the rounds it reads.
    const op = await setUp(undefined, undefined, { endpoints: 2, microForkRate: 0 });
    const badUrl = op.sim.urls[1] ?? '';
    const bad = hostOf(badUrl);
    const fault: FaultHandle = await op.sim.injectFault({ kind: 'refuse-connections' }, { endpoint: 1 });
    const state = join(op.dir, 'state.json');
    let metricsUrl: string | undefined;
    let healed = false;
    let probing: Promise<{ healthz: { code: number; body: string }; status: CliRun }> | undefined;
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--json', '--metrics', '127.0.0.1:0', '--state', state],
      {
        cwd: op.dir,
        timeoutMs: 40_000,
        onStdoutLine: (line, child) => {
          const record = JSON.parse(line) as { event?: string; url?: string; degraded?: boolean };
          if (record.event === 'metrics') metricsUrl = record.url;
          // At the first DEGRADED round: /healthz and `status`, then the node comes back.
          if (record.event === 'round' && record.degraded && probing === undefined) {
            probing = (async () => {
              const response = await fetch(`${metricsUrl}/healthz`);
              const healthz = { code: response.status, body: await response.text() };
              const status = await runCli(['status', ...op.runFlags, '--json', '--state', state], {
                cwd: op.dir,
                timeoutMs: 20_000,
              });
              await fault.remove();
              healed = true;
              return { healthz, status };
            })();
          }
          if (healed && record.event === 'node-fresh') child.kill('SIGTERM');
        },
      },
    );
    const records = jsonLines(result.stdout);
    const why = `${result.stderr.slice(-1000)}\n${result.stdout.slice(-4000)}`;
    expect(result.code, why).toBe(0);
    expect(probing, why).toBeDefined();
    const { healthz, status } = await (probing as NonNullable<typeof probing>);

    // From the start, in the text: the DEGRADED warning and the node's own line name it, since when and why.
    const armedAt = records.findIndex((r) => r.event === 'armed');
    const degraded = records.find(
      (r) => r.level === 'warn' && /^DEGRADED: 1 of 2 RPC nodes available/.test(String(r.message)),
    );
    expect(String(degraded?.message), why).toMatch(
      new RegExp(`\\(http://${bad} unavailable since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(.+\\)\\); deciding on them`),
    );
    const down = records.findIndex((r) => r.event === 'node-stale');
    expect(down, why).toBeGreaterThanOrEqual(0);
    expect(down, 'said before the first slot check, not at a change').toBeLessThan(
      records.findIndex((r) => r.event === 'round'),
    );
    expect(records[down]).toMatchObject({ level: 'warn', node: `http://${bad}`, degraded: true });
    expect(String(records[down]?.message)).toMatch(
      new RegExp(
        `^node http://${bad} is unavailable since \\d\\d:\\d\\d:\\d\\d UTC \\(.+\\); RPC nodes 1 of 2 available, DEGRADED`,
      ),
    );
    expect(armedAt).toBeGreaterThanOrEqual(0);

    // Each round line while degraded says so.
    const rounds = records.filter((r) => r.event === 'round');
    expect(rounds[0], why).toMatchObject({ nodesAvailable: 1, nodesConfigured: 2, degraded: true });
    expect(String(rounds[0]?.message)).toMatch(/; nodes 1\/2 available, DEGRADED \(not available: /);

    // /healthz: still 200 (the trap decides), its body says DEGRADED.
    expect(healthz.code).toBe(200);
    expect(healthz.body).toMatch(/^DEGRADED: 1 of 2 RPC nodes available, fewer than a majority/);

    // status: WARNING DEGRADED, exit 1 (the witness is otherwise fine and the trap runs with this state).
    expect(status.code, status.stderr).toBe(1);
    const verdict = (JSON.parse(status.stdout) as { verdict: { state: string; summary: string } }).verdict;
    expect(verdict.state).toBe('DEGRADED');
    expect(verdict.summary).toMatch(new RegExp(`^WARNING: DEGRADED: 1 of 2 RPC nodes available.*http://${bad}`));

    // Back: said, with how long it was gone; and the rounds after it are no longer DEGRADED.
    const back = records.find((r) => r.event === 'node-fresh');
    expect(String(back?.message), why).toMatch(
      new RegExp(
        `^node http://${bad} is available again \\(unavailable since \\d\\d:\\d\\d:\\d\\d UTC\\); RPC nodes 2 of 2 available$`,
      ),
    );
  }, 60_000);

  it('says the same on a terminal-style log (--log-format pretty): the node named in the text, from the start', async () => {
    // No micro-forks, as above: this test reads what is said, not a switch.
    const op = await setUp(undefined, undefined, { endpoints: 2, microForkRate: 0 });
    const bad = hostOf(op.sim.urls[1] ?? '');
    await op.sim.injectFault({ kind: 'refuse-connections' }, { endpoint: 1 });
    let stderr = '';
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--log-format', 'pretty', '--state', join(op.dir, 'state.json')],
      {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStderr: (chunk, child) => {
          stderr += chunk;
          if (/round: .*DEGRADED/.test(stderr)) child.kill('SIGTERM');
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `DEGRADED: 1 of 2 RPC nodes available \\(http://${bad} unavailable since [^)]+\\(.+\\)\\); deciding on them`,
      ),
    );
    expect(result.stderr).toMatch(new RegExp(`node http://${bad} is unavailable since \\d\\d:\\d\\d:\\d\\d UTC`));
    expect(result.stderr).toMatch(/round: alice .*; nodes 1\/2 available, DEGRADED \(not available: /);
  }, 60_000);
});
