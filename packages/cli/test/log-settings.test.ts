/** `--log-level` and `--log-format` on a daemon against the simulated chain (issue 21 item 7). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();

describe('log level and format', () => {
  it('--log-level warn keeps info lines out and warnings in (JSON off a terminal, the default)', async () => {
    const op = await setUp();
    // Stopped by SIGTERM after 4 s: the armed line that would say when is itself an info line.
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--log-level', 'warn', '--state', join(op.dir, 's.json')],
      {
        cwd: op.dir,
        timeoutMs: 4_000,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const records = jsonLines(result.stderr);
    expect(records.map((record) => record.event)).toContain('no-notifier');
    expect(records.filter((record) => record.level !== 'warn' && record.level !== 'error')).toEqual([]);
  }, 30_000);

  it('--log-format pretty gives the narrative off a terminal too, without a live line', async () => {
    const op = await setUp();
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--log-format', 'pretty', '--state', join(op.dir, 's.json')],
      {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStderr: (chunk, child) => {
          if (chunk.includes('armed: watching')) child.kill('SIGTERM');
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d • armed: watching alice/m);
    expect(result.stderr).not.toMatch(/^\{/m);
    expect(result.stderr).not.toContain('\r');
  }, 30_000);

  it('refuses a level or format it does not know (exit 2), with a suggestion', async () => {
    const result = await runCli(['status', '--witness', 'alice', '--log-level', 'wanr', '--log-format', 'jsno']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--log-level \\"wanr\\" is not one of error|warn|info|debug: did you mean warn?');
    expect(result.stderr).toContain('--log-format \\"jsno\\" is not one of pretty|json: did you mean json?');
  });
});
