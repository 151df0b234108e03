/**
 * Secrets, the quick part: key files readable by others are refused, and a library failover's events and errors
 * carry no private key. (Every CLI command with known secrets runs in the long suite: test/long/secrets-cli.long.ts.)
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliToEnd } from '../src/cli-process.js';
import { recordFinding } from '../src/findings.js';
import { operatorPerTest } from '../src/operator-setup.js';
import { startScenario, stepUntil } from '../src/scenario.js';
import { findLeaks } from '../src/secret-scan.js';

const setup = operatorPerTest();

describe('key files', () => {
  it('refuses a key file readable by group or others, and names neither the key nor its content', async () => {
    const op = await setup();
    const results: string[] = [];
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(op.keyFile, mode);
      const result = await runCliToEnd(['check', ...op.runArgs.slice(1)], { env: op.env, cwd: op.dir });
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/permission|readable|mode|chmod/i);
      expect(findLeaks([{ where: 'stderr', text: result.stderr + result.stdout }], op.secrets)).toEqual([]);
      results.push(`${mode.toString(8)}: exit ${result.code}`);
    }
    expect(op.sim.chain.broadcasts()).toHaveLength(0);
    recordFinding({
      area: 'security: key files',
      injected: 'signing key file mode 644, 640, 604',
      happened: `${results.join('; ')}; nothing broadcast, no key printed`,
    });
  }, 60_000);
});

describe('no secret in the library`s events and errors', () => {
  it('a failover with every event recorded (errors with their causes) carries no private key', async () => {
    // Three endpoints, so that the flaky one is outvoted and the failover does not wait on it (two must agree of two).
    const s = await startScenario({ endpoints: 3 });
    try {
      const { sim, witness } = s;
      // One flaky endpoint makes for error events with causes in them.
      await sim.injectFault({ kind: 'error-rate', rate: 0.5, response: 'rpc-server' }, { endpoint: 1 });
      const { trap, events } = s.trap();
      await trap.arm();
      await sim.stopNode(witness.signingKey);
      expect(await stepUntil(sim, trap.run(), 63)).toMatchObject({ settled: true });
      const serialize = (value: unknown): string =>
        JSON.stringify(value, (_key, v: unknown) =>
          v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
        );
      const text = events.map((e) => `${e.name} ${serialize(e.payload)}`).join('\n');
      const secrets = [witness.privateKey, witness.activeKey, ...witness.backupKeys.map((k) => k.privateKey)];
      expect(findLeaks([{ where: 'events', text }], secrets)).toEqual([]);
      recordFinding({
        area: 'security: secrets',
        injected: 'a library failover with a flaky node; every event (errors with stack and cause) serialized',
        happened: `${events.length} events, ${text.length} characters scanned: no private key`,
      });
    } finally {
      await s.close();
    }
  });
});
