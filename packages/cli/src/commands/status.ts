/**
 * `witness-trap status`: a verdict on top (OK, MISSING BLOCKS, DISABLED, SWITCH PENDING, TRAP NOT RUNNING, UNKNOWN),
 * then the witness's state in operator terms with the lines behind the verdict marked; `--json` gives the same as
 * one object. Exits by the monitoring-plugin convention (status-verdict.ts), so it serves as a Nagios/Icinga check.
 */
import { connect, probeNodes } from '../connect.js';
import { isConfigError } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import type { Output } from '../output.js';
import { type StatusVerdict, statusVerdict, unknownVerdict } from '../status-verdict.js';
import { UsageError } from '../usage-error.js';
import { readWitnessView, renderWitnessView, trapStateView, type ViewLine } from '../witness-view.js';

/** Reads the chain once, prints the verdict and the witness's state, and exits 0/1/2/3 by the verdict. */
export async function statusCommand({ settings, output }: CommandContext): Promise<number> {
  let connection: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    connection = await connect(settings);
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
    const verdict = statusVerdict(view, settings.statePath);
    const marked = new Set(verdict.findings.flatMap((finding): ViewLine[] => (finding.line ? [finding.line] : [])));
    output.result(
      { ...view, verdict },
      `${verdictLines(verdict, output)}\n${renderWitnessView(view, (color, text) => output.paint(color, text), marked)}`,
    );
    return verdict.exitCode;
  } catch (error) {
    // A configuration mistake stays exit 2 (nothing was read); anything else means the chain could not be read:
    // UNKNOWN (3), said as a verdict, so a monitoring system shows why.
    if (isConfigError(error)) throw error;
    const verdict = unknownVerdict(error instanceof Error ? error.message : String(error));
    output.result({ witness: settings.witness ?? '', verdict }, verdictLines(verdict, output));
    return verdict.exitCode;
  } finally {
    await connection?.close();
  }
}

/** The verdict's top line, then every other finding. */
function verdictLines(verdict: StatusVerdict, output: Output): string {
  const color = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'yellow' } as const;
  const top = output.paint('bold', output.paint(color[verdict.severity], verdict.summary));
  const others = verdict.findings
    .slice(1)
    .map((finding) => `  also ${finding.severity.toUpperCase()}: ${finding.state}: ${finding.message}`);
  return [top, ...others].join('\n');
}
