import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { wifKeyRing } from '../../src/signer/wif-key-ring.js';
import { disableWitness } from '../../src/trap/witness-admin.js';
import { FailoverTrap } from '../../src/trap.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

async function refusal(trap: FailoverTrap): Promise<ConfigError> {
  const error = await trap.arm().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('arming refuses a setup that could not fail over, and broadcasts nothing', () => {
  it('refuses timing options out of range when arming, not when it fires, listing each', async () => {
    const scenario = await start();
    for (const confirmTimeoutMs of [2 * 3_600_000, 500]) {
      const error = await refusal(new FailoverTrap(scenario.trapOptions({ confirmTimeoutMs })));
      expect(error.code).toBe('CONFIG_INVALID_OPTION');
      expect(error.message).toMatch(/confirmTimeoutMs/);
    }
    const error = await refusal(
      new FailoverTrap(scenario.trapOptions({ maxAttempts: 0, pollIntervalMs: Number.NaN, signTimeoutMs: -1 })),
    );
    expect(error.problems).toEqual([
      expect.stringMatching(/pollIntervalMs/),
      expect.stringMatching(/signTimeoutMs/),
      expect.stringMatching(/maxAttempts/),
    ]);
    expect(scenario.sim.chain.broadcasts()).toEqual([]);
  });

  it('refuses an unknown witness', async () => {
    const scenario = await start();
    const error = await refusal(new FailoverTrap(scenario.trapOptions({ witness: 'nobody-here' })));
    expect(error.code).toBe('CONFIG_UNKNOWN_WITNESS');
    expect(scenario.sim.chain.broadcasts()).toEqual([]);
  });

  it('refuses when the only backup key is the current signing key', async () => {
    const scenario = await start();
    const error = await refusal(new FailoverTrap(scenario.trapOptions({ backupKeys: [scenario.witness.signingKey] })));
    expect(error.code).toBe('CONFIG_NO_BACKUP_KEY');
    expect(scenario.sim.chain.broadcasts()).toEqual([]);
  });

  it('refuses when neither the current signing key nor the active key is held', async () => {
    const scenario = await start();
    const signer = wifKeyRing({ signingKeys: scenario.witness.backupKeys.map((k) => k.privateKey) });
    const error = await refusal(new FailoverTrap(scenario.trapOptions({ signer })));
    expect(error.code).toBe('CONFIG_NO_SIGNING_KEY');
    expect(scenario.sim.chain.broadcasts()).toEqual([]);
  });

  it('refuses a backup key that is not a valid public key, and lists every problem at once', async () => {
    const scenario = await start();
    const signer = wifKeyRing({});
    const trap = new FailoverTrap(
      scenario.trapOptions({ signer, backupKeys: ['STMnot-a-key', scenario.witness.signingKey], misses: 0 }),
    );
    const error = await refusal(trap);
    expect(error.code).toBe('CONFIG_INVALID_KEY');
    expect(error.details.codes).toEqual([
      'CONFIG_INVALID_KEY',
      'CONFIG_INVALID_OPTION',
      'CONFIG_NO_BACKUP_KEY',
      'CONFIG_NO_SIGNING_KEY',
    ]);
    expect(error.problems).toHaveLength(4);
    expect(scenario.sim.chain.broadcasts()).toEqual([]);
  });

  it('refuses a disabled witness (null key): it is not scheduled and cannot miss', async () => {
    const scenario = await start();
    const { sim, witness } = scenario;
    const disabling = disableWitness({
      chain: scenario.chain,
      signer: wifKeyRing({ signingKeys: [witness.privateKey] }),
      witness: witness.name,
      clock: sim.clock,
    });
    for (let i = 0; i < 5; i++) await sim.advanceSlots(1);
    await disabling;
    const before = sim.chain.broadcasts().length;
    const error = await refusal(new FailoverTrap(scenario.trapOptions()));
    expect(error.code).toBe('CONFIG_WITNESS_DISABLED');
    expect(sim.chain.broadcasts()).toHaveLength(before);
  });
});

describe('arming with one bad RPC node of two', () => {
  it('arms, and switches through the other, while one node answers every call "Unable to acquire database lock"', async () => {
    const scenario = await start({ endpoints: 2 });
    const { sim, witness, backupKeys } = scenario;
    // From the start: the node errors on every call (hived's lock error, JSON-RPC -32000).
    await sim.injectFault({ kind: 'error-rate', rate: 1, response: 'rpc-server' }, { endpoint: 1 });
    const trap = new FailoverTrap(scenario.trapOptions());
    await trap.arm();
    expect(trap.status()).toMatchObject({ armed: true, availableNodes: 1, configuredNodes: 2, degraded: true });
    expect(trap.status().nodes[1]).toMatchObject({
      available: false,
      unavailableReason: expect.stringMatching(/lock/),
    });
    const run = trap.run();
    await sim.stopNode(witness.signingKey);
    const result = await stepUntil(sim, run, 63);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
    expect(keySwitches(sim, witness.name)).toHaveLength(1);
  });
});
