/**
 * `switch`, `disable`, `enable`: a key change made on purpose, through the same fire/confirm path as a failover
 * (core's `switchNow`, `disableWitness`, `enableWitness`), confirmed on chain before exit 0.
 */
import type { SwitchOutcome } from '@witness-trap/core';
import { type Connection, connect } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { narrate } from '../narrate.js';
import { buildNotifiers } from '../notifiers.js';
import { ForwardedEvents, keyNames, outputLogger, trapEvents } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';

/** `witness-trap switch [--to KEY]`: to the next backup key, or to `--to`. */
export async function switchCommand({ settings, output }: CommandContext): Promise<number> {
  if (!settings.to && settings.backupKeys.length === 0) {
    throw new UsageError('CONFIG_NO_BACKUP_KEY', ['switch needs --to KEY or at least one --backup-key']);
  }
  const connection = await connect(settings);
  const { notifiers, problems } = await buildNotifiers(settings);
  if (problems.length > 0) {
    await connection.close();
    throw new UsageError('CONFIG_NOTIFIER', problems);
  }
  const { FailoverTrap, fileStateStore, memoryStateStore } = await import('@witness-trap/core');
  const backupKeys = settings.backupKeys.length > 0 ? settings.backupKeys : [settings.to ?? ''];
  const trap = new FailoverTrap({
    witness: settings.witness ?? '',
    chain: connection.chain,
    signer: connection.signer,
    backupKeys,
    notifiers,
    dryRun: settings.dryRun,
    // Only an explicit --state: the default file belongs to `run`, and a manual switch must not reset its baseline.
    state: settings.sources.state ? fileStateStore(settings.statePath) : memoryStateStore(),
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
    log: outputLogger(output),
  });
  const events = trapEvents(trap);
  const story = narrate(events, output, { keyNames: keyNames(backupKeys, connection.keys.signingPublicKeys) });
  try {
    const outcome = await trap.switchNow(settings.to ? { to: settings.to } : {});
    return report(output, 'switch', outcome);
  } finally {
    story.stop();
    await trap.stop();
    await Promise.all(notifiers.map((notifier) => notifier.close?.()));
    await connection.close();
  }
}

/** `witness-trap disable`: the null key; the witness leaves the schedule. */
export async function disableCommand(context: CommandContext): Promise<number> {
  return admin(context, 'disable', async (connection, onEvent) => {
    const { disableWitness } = await import('@witness-trap/core');
    return disableWitness({ ...adminOptions(context, connection), onEvent });
  });
}

/** `witness-trap enable --to KEY`: a signing key on a disabled witness, with the active key. */
export async function enableCommand(context: CommandContext): Promise<number> {
  return admin(context, 'enable', async (connection, onEvent) => {
    const { enableWitness } = await import('@witness-trap/core');
    return enableWitness({ ...adminOptions(context, connection), to: context.settings.to ?? '', onEvent });
  });
}

function adminOptions({ settings }: CommandContext, connection: Connection) {
  return {
    chain: connection.chain,
    signer: connection.signer,
    witness: settings.witness ?? '',
    dryRun: settings.dryRun,
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
  };
}

async function admin(
  context: CommandContext,
  name: string,
  act: (connection: Connection, onEvent: ForwardedEvents['forward']) => Promise<SwitchOutcome>,
): Promise<number> {
  const connection = await connect(context.settings);
  const events = new ForwardedEvents();
  const story = narrate(events, context.output);
  try {
    return report(context.output, name, await act(connection, events.forward));
  } finally {
    story.stop();
    await connection.close();
  }
}

function report(output: CommandContext['output'], command: string, outcome: SwitchOutcome): number {
  const { status, fromKey, toKey } = outcome;
  switch (outcome.status) {
    case 'confirmed':
      output.result(
        {
          command,
          status,
          fromKey,
          toKey,
          txId: outcome.txId ?? null,
          blockNum: outcome.blockNum,
          byPeer: outcome.byPeer,
        },
        `${command}: confirmed in block ${outcome.blockNum}: signing key ${fromKey} -> ${toKey}` +
          (outcome.byPeer ? ' (made by someone else; adopted)' : ''),
      );
      return ExitCode.ok;
    case 'dry-run':
      output.result(
        { command, status, fromKey, toKey, txId: outcome.txId, operation: outcome.operation, tx: outcome.tx },
        `${command}: dry run: signed ${outcome.operation} ${fromKey} -> ${toKey} (tx ${outcome.txId}), NOT broadcast`,
      );
      return ExitCode.ok;
    case 'abandoned':
      output.result(
        { command, status, fromKey, toKey, attempts: outcome.attempts },
        `${command}: abandoned after ${outcome.attempts} attempts: the chain still shows ${fromKey}`,
      );
      return ExitCode.failure;
  }
}
