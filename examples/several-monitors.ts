/**
 * Several monitors, one witness: three one-shot traps, each with its own chain client (as on three hosts), all
 * holding the same signing key and the same backup list. When the primary dies they race; the chain takes one
 * switch, and the others see the new key on chain and adopt it (`byPeer`) instead of switching again.
 *
 * Run it through its test (`pnpm vitest run examples`), or after `pnpm build` with a TypeScript-aware runner.
 */
import { pathToFileURL } from 'node:url';
import {
  type ChainClient,
  dhiveChainClient,
  FailoverTrap,
  shortKey,
  type TrapOutcome,
  wifKeyRing,
} from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';

/** Options of {@link runMonitors}. */
export interface SeveralMonitorsOptions {
  /** The simulated chain's block interval (Hive's is 3000). @default 1000 */
  blockIntervalMs?: number;
  /** How many traps watch the witness. @default 3 */
  monitors?: number;
  /** Where the story goes. @default console.log */
  print?: (line: string) => void;
}

/** What the race left behind. */
export interface SeveralMonitorsResult {
  /** Each trap's outcome, in the order they were made. */
  outcomes: TrapOutcome[];
  /** The ids of the transactions that changed the witness's key, as the chain applied them. */
  switchesOnChain: string[];
}

/** Arms the monitors, kills the primary node, and resolves once every run has ended. */
export async function runMonitors({
  blockIntervalMs = 1000,
  monitors = 3,
  print = console.log,
}: SeveralMonitorsOptions = {}): Promise<SeveralMonitorsResult> {
  const sim = await startSimnet({ blockIntervalMs, backupKeys: 1 });
  const chains: ChainClient[] = [];
  try {
    const demo = sim.witnesses[0];
    if (demo === undefined) throw new Error('the simnet has no demo witness');
    const traps = Array.from({ length: monitors }, (_, i) => {
      const chain = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, blockIntervalMs });
      chains.push(chain);
      const trap = new FailoverTrap({
        witness: demo.name,
        chain,
        signer: wifKeyRing({ signingKeys: [demo.privateKey] }),
        backupKeys: demo.backupKeys.map((k) => k.publicKey),
        blockIntervalMs,
      });
      trap.on('confirmed', (e) =>
        print(
          `monitor ${i + 1}: ${shortKey(e.toKey)} confirmed in block ${e.blockNum}${e.byPeer ? ' (by a peer)' : ''}`,
        ),
      );
      return trap;
    });
    await Promise.all(traps.map((trap) => trap.arm()));
    await sim.stopNode(demo.signingKey);
    const outcomes = await Promise.all(traps.map((trap) => trap.run()));
    return { outcomes, switchesOnChain: sim.chain.keySwitches(demo.name).map((tx) => tx.id) };
  } finally {
    await Promise.all(chains.map((chain) => chain.close?.()));
    await sim.stop();
  }
}

/** Runs the race; resolves with the exit code (0: every monitor confirmed, and the chain took exactly one switch). */
export async function main(options: SeveralMonitorsOptions = {}): Promise<number> {
  const { outcomes, switchesOnChain } = await runMonitors(options);
  const allConfirmed = outcomes.every((o) => o.status === 'confirmed');
  return allConfirmed && switchesOnChain.length === 1 ? 0 : 1;
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
