/**
 * `witness-trap check`: every configuration problem at once, then exit 2 if there is any. It takes the whole command
 * line of `run` and checks what each option promises: it reads the chain and arms a dry-run trap against it (the
 * core's own judgement of whether this setup can fail over), tests the state file for writing, the intervals against
 * the block interval, every `--health` URL for an answer and every `--webhook` host for a connection. It broadcasts
 * nothing, sends no notification and writes no state.
 */

import { chainIdVerdict } from '../chain-id.js';
import { type Connection, open, probeNodes } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import { probeHealthUrls } from '../health-probes.js';
import { loadKeys } from '../key-files.js';
import { describeHeldKey, type HeldKey, keyRoles } from '../key-roles.js';
import type { CommandContext } from '../main.js';
import { probeAll } from '../node-probe.js';
import { describeProbe, nodesPlan } from '../node-report.js';
import { buildNotifiers } from '../notifiers.js';
import { intervalProblems, metricsNotes, stateFileProblems, webhookProblems } from '../preflight.js';
import { safeUrl } from '../safe-url.js';
import { preemptiveGap } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';
import { readWitnessView, type WitnessView } from '../witness-view.js';

/** Runs every check it can, even after earlier ones failed, and reports them together. */
export async function checkCommand({ settings, output, problems: earlier, signal }: CommandContext): Promise<number> {
  const problems = [...earlier];
  const notes: string[] = [];
  const { keys, problems: keyProblems } = loadKeys(settings);
  problems.push(...keyProblems);
  const { notifiers, problems: notifierProblems } = await buildNotifiers(settings);
  problems.push(...notifierProblems);
  // Writable where run writes it, and (quorum's rule) a file that parses: run refuses to arm over a corrupt one.
  problems.push(...(await stateFileProblems(settings.statePath)), ...(await stateProblems(settings.statePath)));
  problems.push(...(await webhookProblems(settings.webhooks)));
  notes.push(...(await metricsNotes(settings)));
  if (notifiers.length === 0) {
    notes.push('no notifier configured: a failover would only be logged (set TELEGRAM_* / TWILIO_* or --webhook)');
  }

  // Each node's verdict as it arrives, all at once, each within the RPC timeout: a dead node costs that, no more.
  const probes = await Promise.all(
    probeAll(settings, signal).map((probing) =>
      probing.then((probe) => {
        output.log(probe.reachable ? 'info' : 'warn', 'node', describeProbe(probe), { ...probe });
        return probe;
      }),
    ),
  );
  const chainId = chainIdVerdict(settings, probes);
  problems.push(...chainId.problems);
  notes.push(...chainId.notes);
  const reachable = probes.filter((probe) => probe.reachable).map((probe) => probe.url);
  const plan = nodesPlan(probes, settings.minNodes);
  output.log(plan.problem || plan.warning ? 'warn' : 'info', 'nodes', plan.line, {
    reachable,
    configured: settings.nodes,
    degraded: plan.warning !== undefined,
  });
  if (plan.problem) problems.push(plan.problem);
  if (plan.warning) notes.push(plan.warning);
  // The chain is read through the nodes that answered, for the chain their ids agree on.
  const checked = { ...settings, chainId: chainId.chainId, nodes: reachable };

  let view: WitnessView | undefined;
  let held: HeldKey[] = [];
  if (settings.witness && reachable.length === 0) {
    problems.push('no RPC node answered: check --node (the trap decides only on fresh data)');
  } else if (settings.witness && chainId.problems.length === 0) {
    const nodes = probeNodes(checked);
    const connection = await open(checked, keys);
    try {
      view = await readWitnessView(
        connection.chain,
        {
          witness: settings.witness,
          backupKeys: settings.backupKeys,
          heldKeys: keys.signingPublicKeys,
          ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
        },
        nodes,
      );
      if (view) {
        const timing = intervalProblems(checked, view.blockIntervalMs, await roundLength(connection));
        problems.push(...timing.problems);
        notes.push(...timing.notes);
      }
      if (!view) {
        problems.push(`--witness ${settings.witness}: no such witness on this chain (check the name and --chain-id)`);
      } else if (keyProblems.length === 0 && settings.backupKeys.length > 0) {
        problems.push(...(await armingProblems(checked, connection)));
      }
      const account = (await connection.chain.getAccount(settings.witness)).value ?? undefined;
      if (keys.activePublicKey) {
        const active = account?.active.keyAuths.map(([key]) => key) ?? [];
        if (!active.includes(keys.activePublicKey)) {
          problems.push(`the active key (${keys.activePublicKey}) is not in ${settings.witness}'s active authority`);
        }
      }
      if (view) {
        const report = keyRoles(settings.witness, keys, settings, {
          signingKey: view.signingKey,
          backupKeys: settings.backupKeys,
          ...(account ? { account } : {}),
        });
        held = report.roles;
        for (const role of held) output.log('info', 'key', describeHeldKey(role), { ...role });
        notes.push(...report.warnings);
      }
    } catch (error) {
      const urls = checked.nodes.map(safeUrl).join(', ');
      problems.push(`the chain could not be read through ${urls}: ${(error as Error).message}; check --node`);
    } finally {
      await connection.close();
    }
    problems.push(...(await healthProblems(settings, notes)));
    if (settings.preemptive && view) problems.push(...preemptiveProblems(settings, view, notes));
    const probed = await nodes;
    for (const node of probed) {
      if (!node.fresh)
        notes.push(`node ${safeUrl(node.url)} is not fresh${node.lastError ? ` (${node.lastError})` : ''}`);
    }
    if (!probed.some((node) => node.fresh)) {
      problems.push('no RPC node answered with a fresh head: check --node (the trap decides only on fresh data)');
    }
  }
  await Promise.all(notifiers.map((notifier) => notifier.close?.()));

  for (const note of notes) output.log('warn', 'check-note', note);
  if (problems.length > 0) throw new UsageError('CONFIG_CHECK_FAILED', problems);
  const role = view?.keyRole === 'backup' ? `backup #${view.backupIndex}` : 'primary';
  output.result(
    { ok: true, problems: [], notes, witness: view ?? null, keys: held, notifiers: notifiers.map((n) => n.name) },
    [
      output.paint('green', `ok: ${settings.witness} can fail over`),
      view ? `  on chain:  ${view.signingKey} (${role})` : '',
      view?.nextBackupKey ? `  next:      ${view.nextBackupKey}` : '',
      ...held.map((role) => `  held:      ${role.publicKey}: ${role.is}; signs ${role.signs}`),
      `  notifiers: ${notifiers.map((n) => n.name).join(', ') || 'none'}`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return ExitCode.ok;
}

/** A state file that `run` would refuse to arm over: it does not parse, or may not be read (it is only read here). */
async function stateProblems(path: string): Promise<string[]> {
  const { corruptStateRefusal, fileStateStore, refusesToArm, StateError } = await import('@witness-trap/core');
  try {
    await fileStateStore(path).load();
    return [];
  } catch (error) {
    return error instanceof StateError && refusesToArm(error) ? [corruptStateRefusal(error).message] : [];
  }
}

/** Arms a dry-run trap (memory state, nothing broadcast): the core's reasons it could not fail over, if any. */
async function armingProblems(settings: CommandContext['settings'], connection: Connection): Promise<string[]> {
  const { FailoverTrap, memoryStateStore } = await import('@witness-trap/core');
  const trap = new FailoverTrap({
    witness: settings.witness ?? '',
    chain: connection.chain,
    signer: connection.signer,
    backupKeys: settings.backupKeys,
    misses: settings.misses,
    windowMs: settings.windowMs,
    dryRun: true,
    state: memoryStateStore(),
    ...(Object.keys(settings.health).length > 0 ? { health: settings.health } : {}),
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
  });
  try {
    await trap.arm();
    return [];
  } catch (error) {
    if ((error as { kind?: unknown }).kind !== 'config') throw error;
    const found = (error as { problems?: unknown }).problems;
    return Array.isArray(found) ? found.map(String) : [(error as Error).message];
  } finally {
    await trap.stop();
  }
}

/** `--preemptive` needs the health URL of the key on chain; backups without one leave it idle after a switch. */
function preemptiveProblems(settings: CommandContext['settings'], view: WitnessView, notes: string[]): string[] {
  const after = settings.backupKeys.filter((key) => key !== view.signingKey && settings.health[key] === undefined);
  if (settings.daemon && after.length > 0) {
    notes.push(`--preemptive is idle after a switch to ${after.join(', ')}: no --health for that key's node`);
  }
  return settings.health[view.signingKey] === undefined ? [preemptiveGap(view.signingKey)] : [];
}

/** Probes each configured health URL as the trap would; a backup that is down is a note, all of them a problem. */
async function healthProblems(settings: CommandContext['settings'], notes: string[]): Promise<string[]> {
  const results = await probeHealthUrls(settings.health);
  const problems: string[] = [];
  for (const { key, url, up, answered } of results) {
    if (!answered) problems.push(`--health ${key}=${safeUrl(url)} does not answer: nothing listens there`);
    else if (!up) notes.push(`the node of ${key} is down (health ${safeUrl(url)}): the trap would skip that key`);
  }
  const backupsWithHealth = results.filter(({ key }) => settings.backupKeys.includes(key));
  if (backupsWithHealth.length > 0 && backupsWithHealth.length === settings.backupKeys.length) {
    if (backupsWithHealth.every(({ up }) => !up)) {
      problems.push('every backup node is down by its health URL: right now the trap would have nowhere to switch to');
    }
  }
  return problems;
}

/** Witnesses per round on this chain (21 on Hive), from its schedule. */
async function roundLength(connection: Connection): Promise<number> {
  const schedule = await connection.chain.getSchedule();
  return schedule.value?.currentShuffledWitnesses.length || 21;
}
