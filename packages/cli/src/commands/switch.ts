/**
 * `switch`, `disable`, `enable`: a key change made on purpose, through the same fire/confirm path as a failover
 * (core's `switchNow`, `disableWitness`, `enableWitness`), confirmed on chain before exit 0.
 */
import type { SwitchOutcome } from '@witness-trap/core';
import { confirmPlan, mustAsk } from '../confirm.js';
import { type Connection, connect } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { narrate } from '../narrate.js';
import { buildNotifiers } from '../notifiers.js';
import { ForwardedEvents, keyNames, outputLogger, trapEvents } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';

/** `witness-trap switch [--to KEY]`: to the next backup key, or to `--to`. */
export async function switchCommand(context: CommandContext): Promise<number> {
  const { settings, output } = context;
  if (!settings.to && settings.backupKeys.length === 0) {
    throw new UsageError('CONFIG_NO_BACKUP_KEY', ['switch needs --to KEY or at least one --backup-key']);
  }
  const ask = mustAsk(settings, context.stdin);
  const connection = await connect(settings);
  const { notifiers, problems } = await buildNotifiers(settings);
  if (problems.length > 0) {
    await connection.close();
    throw new UsageError('CONFIG_NOTIFIER', problems);
  }
  const { FailoverTrap, fileStateStore, memoryStateStore } = await import('@witness-trap/core');
  const backupKeys = settings.backupKeys.length > 0 ? settings.backupKeys : [settings.to ?? ''];
  const trapFor = (plan: boolean) =>
    new FailoverTrap({
      witness: settings.witness ?? '',
      chain: connection.chain,
      signer: connection.signer,
      backupKeys,
      // The plan shown at the prompt is a dry run of this very switch: it notifies nobody and records nothing.
      notifiers: plan ? [] : notifiers,
      dryRun: plan || settings.dryRun,
      // Only an explicit --state: the default file belongs to `run`, and a manual switch must not reset its baseline.
      state: settings.sources.state && !plan ? fileStateStore(settings.statePath) : memoryStateStore(),
      ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
      ...(plan ? {} : { log: outputLogger(output) }),
    });
  const request = settings.to ? { to: settings.to } : {};
  try {
    if (ask) {
      const planner = trapFor(true);
      const plan = await planner.switchNow(request).finally(() => planner.stop());
      await confirmPlan(plan, { ...confirmContext(context), keys: connection.keys });
    }
    const trap = trapFor(false);
    const story = narrate(trapEvents(trap), output, {
      keyNames: keyNames(backupKeys, connection.keys.signingPublicKeys),
    });
    try {
      return report(output, 'switch', await trap.switchNow(request));
    } finally {
      story.stop();
      await trap.stop();
    }
  } finally {
    await Promise.all(notifiers.map((notifier) => notifier.close?.()));
    await connection.close();
  }
}

/** `witness-trap disable`: the null key; the witness leaves the schedule. */
export async function disableCommand(context: CommandContext): Promise<number> {
  return admin(context, 'disable', async (connection, onEvent, dryRun) => {
    const { disableWitness } = await import('@witness-trap/core');
    return disableWitness({ ...adminOptions(context, connection, dryRun), onEvent });
  });
}

/** `witness-trap enable --to KEY`: a signing key on a disabled witness, with the active key. */
export async function enableCommand(context: CommandContext): Promise<number> {
  return admin(context, 'enable', async (connection, onEvent, dryRun) => {
    const { enableWitness } = await import('@witness-trap/core');
    return enableWitness({
      ...adminOptions(context, connection, dryRun),
      to: context.settings.to ?? '',
      onEvent,
    });
  });
}

function adminOptions({ settings }: CommandContext, connection: Connection, dryRun: boolean) {
  return {
    chain: connection.chain,
    signer: connection.signer,
    witness: settings.witness ?? '',
    dryRun,
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
  };
}

function confirmContext(context: CommandContext) {
  return {
    settings: context.settings,
    output: context.output,
    stdin: context.stdin ?? process.stdin,
    signal: context.signal,
  };
}

async function admin(
  context: CommandContext,
  name: string,
  act: (connection: Connection, onEvent: ForwardedEvents['forward'], dryRun: boolean) => Promise<SwitchOutcome>,
): Promise<number> {
  const ask = mustAsk(context.settings, context.stdin);
  const connection = await connect(context.settings);
  try {
    if (ask) {
      // The plan shown at the prompt is a dry run of this very change, told to nobody.
      const plan = await act(connection, new ForwardedEvents().forward, true);
      await confirmPlan(plan, { ...confirmContext(context), keys: connection.keys });
    }
    const events = new ForwardedEvents();
    const story = narrate(events, context.output);
    try {
      return report(context.output, name, await act(connection, events.forward, context.settings.dryRun));
    } finally {
      story.stop();
    }
  } finally {
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
