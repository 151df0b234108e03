import { dhiveChainClient, FailoverTrap, SignerError } from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { main, RemoteSigner, SigningService } from './external-signer.js';

describe('examples/external-signer', () => {
  it('runs the story and exits 0 once the switch is confirmed', async () => {
    const lines: string[] = [];
    const code = await main({ blockIntervalMs: 100, print: (line) => lines.push(line) });
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^confirmed in block \d+/);
  });

  it('lands a switch signed by the primary key held only by the service', async () => {
    const blockIntervalMs = 100;
    const sim = await startSimnet({ blockIntervalMs, backupKeys: 1 });
    const chain = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, blockIntervalMs });
    try {
      const demo = sim.witnesses[0];
      const backup = demo?.backupKeys[0];
      if (demo === undefined || backup === undefined) throw new Error('the simnet has no demo witness');
      const service = new SigningService([demo.privateKey]);
      const trap = new FailoverTrap({
        witness: demo.name,
        chain,
        signer: new RemoteSigner((request) => service.handle(request)),
        backupKeys: [backup.publicKey],
        blockIntervalMs,
      });
      await trap.arm();
      await sim.stopNode(demo.signingKey);
      expect((await trap.run()).status).toBe('confirmed');

      const switches = sim.chain.keySwitches(demo.name);
      expect(switches).toHaveLength(1);
      expect(switches[0]?.signerKeys).toEqual([demo.signingKey]);
      expect(sim.chain.witness(demo.name)?.signing_key).toBe(backup.publicKey);
    } finally {
      await chain.close();
      await sim.stop();
    }
  });

  it('fails with a SignerError when the service does not hold the key asked for', async () => {
    const service = new SigningService([]);
    const signer = new RemoteSigner((request) => service.handle(request));
    const tx = {
      ref_block_num: 1,
      ref_block_prefix: 1,
      expiration: '2026-01-01T00:00:00',
      operations: [],
      extensions: [],
    };
    await expect(signer.publicKeys()).resolves.toEqual([]);
    await expect(
      signer.sign(tx, ['STM1111111111111111111111111111111114T1Anm'], '00'.repeat(32)),
    ).rejects.toBeInstanceOf(SignerError);
  });

  it('fails with a SignerError when the service does not answer in time', async () => {
    const signer = new RemoteSigner(() => new Promise<string>(() => undefined), { timeoutMs: 20 });
    await expect(signer.publicKeys()).rejects.toMatchObject({ code: 'SIGNER_TIMEOUT' });
  });
});
