/** Ctrl-C is not a confirmed switch: SIGINT exits 130, SIGTERM (systemd's stop) 0 after the clean stop (issue 21 item 9). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 0],
  ] as const) {
    it(`a daemon stopped by ${signal} once armed stops cleanly and exits ${code}`, async () => {
      const op = await setUp();
      const result = await runCli(['run', ...op.runFlags, '--daemon', '--json', '--state', join(op.dir, 's.json')], {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStdoutLine: (line, child) => {
          if (line.includes('"event":"armed"')) child.kill(signal);
        },
      });
      expect(result.code, result.stderr + result.stdout).toBe(code);
      const events = jsonLines(result.stdout).map((record) => record.event);
      expect(events).toEqual(expect.arrayContaining(['armed', 'stopping']));
      // Nothing was switched: the stop was clean, not a failover.
      expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);
    }, 40_000);
  }
});
