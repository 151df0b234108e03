/**
 * A notifier written by hand: every notification the trap sends becomes one line appended to a journal file. Shows
 * the whole {@link Notifier} contract (a `name`, `notify(notification, signal)` honouring the trap's timeout, and
 * failures reported as `NotifierError`), wired into a one-shot trap on the simulated chain.
 *
 * Run it through its test (`pnpm vitest run examples`), or after `pnpm build` with a TypeScript-aware runner.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  dhiveChainClient,
  FailoverTrap,
  type Notifier,
  NotifierError,
  type TrapNotification,
  wifKeyRing,
} from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';

/**
 * A {@link Notifier} that appends `KIND SEVERITY TITLE` lines to a file. The title is what the trap made for humans
 * and carries no secret, so it is safe to write down as is.
 * @example
 * ```ts
 * const trap = new FailoverTrap({ ...options, notifiers: [journalNotifier('/var/log/witness-trap.journal')] });
 * ```
 */
export function journalNotifier(path: string): Notifier {
  return {
    name: 'journal',
    async notify(notification: TrapNotification, signal?: AbortSignal): Promise<void> {
      const line = `${notification.kind} ${notification.severity} ${notification.title}\n`;
      try {
        // `signal` is the trap's per-notifier timeout: a stuck disk must not hold the trap's notifications up.
        await writeFile(path, line, { flag: 'a', signal });
      } catch (error) {
        throw new NotifierError('could not append to the journal', { notifier: 'journal' }, { cause: error });
      }
    },
  };
}

/** Options of {@link main}. */
export interface CustomNotifierOptions {
  /** The simulated chain's block interval (Hive's is 3000). @default 1000 */
  blockIntervalMs?: number;
  /** The journal file. @default a file in the OS temporary directory */
  journal?: string;
  /** Where the story goes. @default console.log */
  print?: (line: string) => void;
}

/** Arms a trap that journals its news, kills the primary, and resolves with the exit code (0: confirmed on chain). */
export async function main({
  blockIntervalMs = 1000,
  journal = join(tmpdir(), `witness-trap-journal-${process.pid}.log`),
  print = console.log,
}: CustomNotifierOptions = {}): Promise<number> {
  const sim = await startSimnet({ blockIntervalMs, backupKeys: 1 });
  const chain = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, blockIntervalMs });
  try {
    const demo = sim.witnesses[0];
    if (demo === undefined) throw new Error('the simnet has no demo witness');
    const trap = new FailoverTrap({
      witness: demo.name,
      chain,
      signer: wifKeyRing({ signingKeys: [demo.privateKey] }),
      backupKeys: demo.backupKeys.map((k) => k.publicKey),
      blockIntervalMs,
      notifiers: [journalNotifier(journal)],
    });
    await trap.arm();
    await sim.stopNode(demo.signingKey);
    const outcome = await trap.run();
    // Notifications are delivered beside the run; stop() waits for the last of them to be written.
    await trap.stop();
    print(`${outcome.status}: notifications journalled to ${journal}`);
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
