import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { wifKeyRing } from '../../src/signer/wif-key-ring.js';
import { disableWitness, enableWitness } from '../../src/trap/witness-admin.js';
import { NULL_SIGNING_KEY } from '../../src/types.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

describe('disable and enable', () => {
  it('disables with witness_set_properties signed by the current key, and enables with witness_update by the active key', async () => {
    const scenario = await start();
    const { sim, witness, chain, backupKeys } = scenario;
    const before = sim.chain.witness(witness.name);
    const disabled = await stepUntil(
      sim,
      disableWitness({
        chain,
        signer: wifKeyRing({ signingKeys: [witness.privateKey] }),
        witness: witness.name,
        clock: sim.clock,
      }),
      10,
    );
    expect(disabled).toMatchObject({ settled: true, value: { status: 'confirmed', toKey: NULL_SIGNING_KEY } });
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(NULL_SIGNING_KEY);

    const enabled = await stepUntil(
      sim,
      enableWitness({
        chain,
        signer: wifKeyRing({ activeKey: witness.activeKey }),
        witness: witness.name,
        clock: sim.clock,
        to: backupKeys[0] as string,
      }),
      10,
    );
    expect(enabled).toMatchObject({ settled: true, value: { status: 'confirmed', toKey: backupKeys[0] } });
    const after = sim.chain.witness(witness.name);
    expect(after?.signing_key).toBe(backupKeys[0]);
    expect(after?.url).toBe(before?.url);
    expect(after?.props).toEqual(before?.props);
    const switches = keySwitches(sim, witness.name);
    expect(switches.map((t) => [t.operations[0]?.[0], t.signerKeys])).toEqual([
      ['witness_set_properties', [witness.signingKey]],
      ['witness_update', [witness.activePublicKey]],
    ]);
  });

  it('refuses to enable without an active key, broadcasting nothing', async () => {
    const scenario = await start();
    const { sim, witness, chain, backupKeys } = scenario;
    const error = await enableWitness({
      chain,
      signer: wifKeyRing({ signingKeys: [witness.privateKey] }),
      witness: witness.name,
      clock: sim.clock,
      to: backupKeys[0] as string,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_NO_ACTIVE_KEY');
    expect(sim.chain.broadcasts()).toEqual([]);
  });
});
