/** `witness-trap status`: the witness's state in operator terms; `--json` gives the same as one object. */
import { connect, probeNodes } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { UsageError } from '../usage-error.js';
import { readWitnessView, renderWitnessView, trapStateView } from '../witness-view.js';

/** Reads the chain once and prints the witness's state. */
export async function statusCommand({ settings, output }: CommandContext): Promise<number> {
  const connection = await connect(settings);
  try {
    const witness = settings.witness ?? '';
    const view = await readWitnessView(
      connection.chain,
      {
        witness,
        backupKeys: settings.backupKeys,
        heldKeys: await connection.signer.publicKeys(),
        ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
      },
      probeNodes(settings),
    );
    if (!view) throw new UsageError('CONFIG_UNKNOWN_WITNESS', [`--witness ${witness}: no such witness on this chain`]);
    const { corruptStateRefusal, fileStateStore, refusesToArm, StateError } = await import('@witness-trap/core');
    // A state file that run would refuse to arm over is said in the same words (exit 2), not as a crash.
    const saved = await fileStateStore(settings.statePath)
      .load()
      .catch((error: unknown) => {
        throw error instanceof StateError && refusesToArm(error) ? corruptStateRefusal(error) : error;
      });
    view.trap = saved && saved.witness === witness ? trapStateView(saved) : null;
    output.result(
      { ...view },
      renderWitnessView(view, (color, text) => output.paint(color, text)),
    );
    return ExitCode.ok;
  } finally {
    await connection.close();
  }
}
