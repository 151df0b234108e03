/**
 * The whole story in one program: a simulated Hive chain, a trap armed on its demo witness with typed event hooks,
 * the primary node killed, the failover told as it happens. Exits 0 once the switch is confirmed on chain.
 *
 * Run it through its test (`pnpm vitest run examples`), or after `pnpm build` with a TypeScript-aware runner.
 */
import { pathToFileURL } from 'node:url';
import { dhiveChainClient, FailoverTrap, shortKey, wifKeyRing } from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';

/** Options of {@link main}. */
export interface BasicTrapOptions {
  /** The simulated chain's block interval (Hive's is 3000). @default 1000 */
  blockIntervalMs?: number;
  /** Where the story goes. @default console.log */
  print?: (line: string) => void;
}

/** Runs the story; resolves with the process exit code (0: the switch is confirmed on chain). */
export async function main({ blockIntervalMs = 1000, print = console.log }: BasicTrapOptions = {}): Promise<number> {
  const sim = await startSimnet({ blockIntervalMs, backupKeys: 1 });
  const chain = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, blockIntervalMs });
  try {
    const demo = sim.witnesses[0];
    if (demo === undefined) throw new Error('the simnet has no demo witness');
    const trap = new FailoverTrap({
      witness: demo.name,
      chain,
      // Only the signing key: the switch is a witness_set_properties signed by it. No active key on this host.
      signer: wifKeyRing({ signingKeys: [demo.privateKey] }),
      backupKeys: demo.backupKeys.map((k) => k.publicKey),
      blockIntervalMs,
    });
    trap.on('armed', (e) =>
      print(`armed: ${e.witness} signs with ${shortKey(e.currentKey)}, next ${shortKey(e.nextKey)}`),
    );
    trap.on('missed', (e) => print(`missed slot ${e.aslot} (${e.missesInWindow}/${e.threshold} in the window)`));
    trap.on('broadcast', (e) =>
      print(`broadcast ${e.operation} ${e.txId.slice(0, 8)} to ${e.acceptedBy.length} node(s)`),
    );
    trap.on('confirmed', (e) => print(`confirmed in block ${e.blockNum}: now signing with ${shortKey(e.toKey)}`));
    trap.on('error', (e) => print(`(survived ${e.error.code} during ${e.during})`));

    await trap.arm();
    print(`stopping the primary node of ${demo.name}`);
    await sim.stopNode(demo.signingKey);
    const outcome = await trap.run();
    return outcome.status === 'confirmed' ? 0 : 1;
  } finally {
    await chain.close();
    await sim.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
