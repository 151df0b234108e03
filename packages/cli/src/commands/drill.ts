/**
 * `witness-trap drill`: a fire drill of the operator's own configuration. It reads the witness from the configured
 * nodes (signing key, url, props, missed count, active key, place in the round), starts a simulated chain seeded
 * with that copy (a node up with the key on chain, a node for each backup key, down where its real health URL is),
 * arms a trap there with the operator's REAL key ring, kills the current node and shows the failover with its timings.
 *
 * The simulated chain gets a fresh random chain id, so a signature made in the drill is valid on no chain that exists:
 * the key ring signs the switch for that chain id and the private keys never leave it. Signing with the real keys
 * proves what stand-ins could not: that the key ring holds the key on chain (or the active key) and can sign the
 * switch. Nothing is sent to the configured nodes but reads. Notifiers get a test message only with `--notify`.
 */
import { randomBytes } from 'node:crypto';
import { shortKey, type TrapNotification } from '@witness-trap/core';
import type { Simnet, SimnetWitness, WitnessRecord } from '@witness-trap/simnet';
import { connect } from '../connect.js';
import { type DrillRoster, drillRoster } from '../drill-copy.js';
import { ExitCode } from '../exit-codes.js';
import { probeHealthUrls } from '../health-probes.js';
import type { CommandContext } from '../main.js';
import { buildNotifiers, sendTestNotification, type TestDelivery } from '../notifiers.js';
import { type Rehearsal, rehearse } from '../rehearsal.js';
import { safeUrl } from '../safe-url.js';
import { describeTimeline, keyNames } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';
import { readWitnessView } from '../witness-view.js';

/** The drill's pace: accelerated like the demo, or as fast as the configured chain where that is faster. */
const DRILL_BLOCK_INTERVAL_MS = 400;

/** The witness as the drill copied it, and as the simulated chain then held it (hived's field names). */
interface CopiedWitness {
  signingKey: string;
  keyRole: string;
  keyHeld: boolean;
  url: string;
  props: { account_creation_fee: string; maximum_block_size: number; hbd_interest_rate: number };
  totalMissed: number;
  /** The owner's active key the simulated account got (public). */
  activeKey: string | null;
  /** Its place in the real chain's current round, 0-based; `null` where it is not in it. */
  schedulePosition: number | null;
  roundLength: number;
}

/** The failover as the drill saw it. */
interface DrillFailover {
  fromKey: string;
  toKey: string;
  operation: string;
  missedSlots: number;
  blockIntervalMs: number;
  /** Block intervals from the missed slot to the broadcast, and to the confirmation. */
  intervalsToBroadcast: number | null;
  intervalsToConfirm: number | null;
  /** The same in seconds at the drill's pace. */
  secondsToBroadcast: number | null;
  secondsToConfirm: number | null;
  /** Blocks produced from the first block after the missed slot up to the one that confirmed the switch. */
  blocksToConfirm: number | null;
  confirmedBlock: number;
  backupProduced: boolean;
}

/** The drill's verdict, as `--json` prints it. */
interface DrillResult {
  ok: boolean;
  witness: string;
  /** The simulated chain's id (random per drill). */
  chainId: string;
  copied: CopiedWitness;
  /** The witness object the simulated chain started with. */
  rehearsal: Pick<WitnessRecord, 'signing_key' | 'url' | 'props' | 'total_missed'> | null;
  /** What would go wrong, one line each: configuration problems first (exit 2), then failures (exit 1). */
  findings: string[];
  /** Worth knowing, does not fail the drill. */
  warnings: string[];
  failover: DrillFailover | null;
  /** The configured notifiers. */
  notifiersConfigured: string[];
  /** Test deliveries (only with `--notify`). */
  notifiers: TestDelivery[];
}

/** Runs the drill: exit 0 when it passed, 1 when the failover (or, with `--notify`, a notifier) would fail, 2 for config errors. */
export async function drillCommand({ settings, output, signal }: CommandContext): Promise<number> {
  const witness = settings.witness ?? '';
  const interval = Math.min(DRILL_BLOCK_INTERVAL_MS, settings.blockIntervalMs ?? DRILL_BLOCK_INTERVAL_MS);
  const connection = await connect(settings);
  const { keys, signer } = connection;
  const { notifiers, problems: notifierProblems } = await buildNotifiers(settings);
  const problems = [...notifierProblems];
  const failures: string[] = [];
  const warnings: string[] = [];
  let roster: DrillRoster | undefined;
  let view: Awaited<ReturnType<typeof readWitnessView>>;
  try {
    const [seen, real, account, schedule] = await Promise.all([
      readWitnessView(connection.chain, { witness, backupKeys: settings.backupKeys, heldKeys: keys.signingPublicKeys }),
      connection.chain.getWitness(witness),
      connection.chain.getAccount(witness),
      connection.chain.getSchedule(),
    ]);
    view = seen;
    if (real.value) roster = drillRoster(real.value, account.value, schedule.value, keys.activePublicKey);
    if (real.value && keys.activePublicKey) {
      const active = account.value?.active.keyAuths.map(([key]) => key) ?? [];
      if (!active.includes(keys.activePublicKey))
        problems.push(`the configured active key ${keys.activePublicKey} is not in ${witness}'s active authority`);
    }
  } finally {
    await connection.close();
  }
  const copy = roster?.witnesses[0];
  if (!view || !roster || !copy)
    throw new UsageError('CONFIG_UNKNOWN_WITNESS', [`--witness ${witness}: no such witness on this chain`]);
  const onChain = view.signingKey;
  const copied: CopiedWitness = {
    signingKey: onChain,
    keyRole: view.keyRole,
    keyHeld: view.keyHeld,
    url: copy.url ?? '',
    props: {
      account_creation_fee: copy.props?.account_creation_fee ?? '',
      maximum_block_size: copy.props?.maximum_block_size ?? 0,
      hbd_interest_rate: copy.props?.hbd_interest_rate ?? 0,
    },
    totalMissed: view.totalMissed,
    activeKey: copy.activeKey ?? null,
    schedulePosition: roster.position ?? null,
    roundLength: roster.roundLength,
  };
  if (roster.position === undefined)
    warnings.push(
      `${witness} is not in the real chain's current round: it can only miss when scheduled (the drill schedules it)`,
    );

  // The real backup nodes' health decides whether their simulated nodes start up: the trap skips a dark one.
  const health = await probeHealthUrls(settings.health);
  const down = new Set(health.filter((h) => !h.up).map((h) => h.key));
  for (const h of health.filter((entry) => !entry.up && settings.backupKeys.includes(entry.key)))
    warnings.push(`the node of backup ${h.key} is down by its health URL (${safeUrl(h.url)}): the trap would skip it`);
  const backups = [...new Set(settings.backupKeys.filter((key) => key !== onChain))];
  const onChainIndex = settings.backupKeys.indexOf(onChain);
  if (onChainIndex >= 0 && backups.length > 0)
    warnings.push(`backup #${onChainIndex + 1} is the key on chain now: the trap skips it and switches to the next`);

  const chainId = randomBytes(32).toString('hex');
  // A drill's signatures must be valid nowhere else: a random id cannot be the configured chain's.
  if (chainId === settings.chainId.toLowerCase()) throw new Error('the drill drew the configured chain id');
  const say = (text: string, event = 'drill') => output.say(text, event);
  say(output.paint('bold', `witness-trap drill: would ${witness} fail over with this configuration?`));
  const role = {
    held: 'your primary',
    backup: `your backup #${view.backupIndex}`,
    null: 'the NULL key: disabled',
    unknown: 'NOT one of your configured keys',
  }[view.keyRole];
  say(describeCopy(witness, copied, role));
  say(
    output.paint(
      'dim',
      `A simulated chain on 127.0.0.1 with its own random chain id (nothing signed there is valid on Hive), ` +
        `${roster.roundLength} witnesses, blocks every ${interval} ms: ${witness} copied, a node up with its key on ` +
        `chain, a node for each backup key. The trap holds your real key ring: it signs for the simulated chain only.`,
    ),
  );
  const told: TrapNotification[] = [];
  let rehearsal: DrillResult['rehearsal'] = null;
  const result: Rehearsal = await rehearse({
    output,
    signal,
    blockIntervalMs: interval,
    backupNodes: 0,
    chainId,
    witnesses: roster.witnesses,
    async setup(me: SimnetWitness, sim: Simnet) {
      const start = sim.chain.witness(me.name);
      if (start) {
        const { signing_key, url, props, total_missed } = start;
        rehearsal = { signing_key, url, props, total_missed };
      }
      const healthUrls: Record<string, string> = {};
      for (const key of backups) {
        await sim.addNode(key, { up: !down.has(key) });
        if (settings.health[key] !== undefined) healthUrls[key] = sim.nodeHealthUrl(key);
      }
      return {
        signer,
        backupKeys: settings.backupKeys,
        notifiers: [{ name: 'drill', notify: async (n: TrapNotification) => void told.push(n) }],
        misses: settings.misses,
        windowMs: settings.windowMs,
        keyNames: keyNames(settings.backupKeys, keys.signingPublicKeys),
        ...(Object.keys(healthUrls).length > 0 ? { health: healthUrls } : {}),
      };
    },
    beforeKill() {
      say(`\nThe node signing with ${shortKey(onChain)} (on chain now) goes down.`);
    },
  });

  let failover: DrillFailover | null = null;
  if (result.status === 'refused') {
    // No key to sign with is this configuration failing over; the rest is configuration the trap refuses.
    result.problems.forEach((problem, i) => {
      (result.codes[i] === 'CONFIG_NO_SIGNING_KEY' ? failures : problems).push(problem);
    });
  } else if (result.status === 'not-confirmed') {
    failures.push(
      result.outcome === 'exhausted'
        ? 'no backup could take over: every backup key was skipped (node down) or failed (the trap ended exhausted)'
        : `the switch did not land on the simulated chain (the trap ended with ${result.outcome})`,
    );
  } else {
    const { switch: confirmed, timeline, missedSlots, produced } = result;
    if (!produced) failures.push('after the switch, the backup node did not produce a block within a round and a half');
    const since = (at: number | undefined, unit: number) =>
      at === undefined || timeline.missedSlotTime === undefined
        ? null
        : Math.round(((at - timeline.missedSlotTime) / unit) * 10) / 10;
    const firstCharged = missedSlots[0]?.chargedInBlock;
    failover = {
      fromKey: onChain,
      toKey: confirmed.toKey,
      operation: confirmed.operation,
      missedSlots: missedSlots.length,
      blockIntervalMs: interval,
      intervalsToBroadcast: since(timeline.broadcastAt, interval),
      intervalsToConfirm: since(timeline.confirmedAt, interval),
      secondsToBroadcast: since(timeline.broadcastAt, 1000),
      secondsToConfirm: since(timeline.confirmedAt, 1000),
      blocksToConfirm: firstCharged === undefined ? null : confirmed.blockNum - firstCharged + 1,
      confirmedBlock: confirmed.blockNum,
      backupProduced: produced !== undefined,
    };
    say(
      `\n${output.paint('green', 'This configuration fails over')}: ${shortKey(onChain)} -> ${shortKey(confirmed.toKey)} via ` +
        `${confirmed.operation}, signed by your key ring, ${missedSlots.length} missed ` +
        `slot${missedSlots.length === 1 ? '' : 's'}.\n${describeTimeline(timeline, interval).join('\n')}\n` +
        `  at the drill's pace: broadcast ${failover.secondsToBroadcast ?? '?'} s and confirmed ` +
        `${failover.secondsToConfirm ?? '?'} s after the missed slot, in block ${confirmed.blockNum}` +
        (failover.blocksToConfirm === null ? '' : ` (${failover.blocksToConfirm} blocks after the missed slot)`),
      'drill-failover',
    );
    if (told[0]) say(`  your notifiers would be told: ${told[0].text}`, 'drill-notification');
  }

  let delivered: TestDelivery[] = [];
  if (notifiers.length === 0) {
    warnings.push('no notifier configured: nobody would be told (set TELEGRAM_* / TWILIO_* or --webhook)');
  } else if (settings.notify) {
    delivered = await sendTestNotification(notifiers, witness, 'witness-trap drill', signal);
    for (const entry of delivered) if (!entry.ok) failures.push(`notifier ${entry.notifier} failed: ${entry.error}`);
  } else {
    await Promise.all(notifiers.map((n) => n.close?.()));
    say(
      output.paint(
        'dim',
        `Notifiers configured: ${notifiers.map((n) => n.name).join(', ')} (not sent; --notify sends each a test message).`,
      ),
    );
  }
  for (const warning of warnings) output.log('warn', 'drill-note', warning);
  const code = problems.length > 0 ? ExitCode.usage : failures.length > 0 ? ExitCode.failure : ExitCode.ok;
  return finish(
    output,
    {
      ok: code === ExitCode.ok,
      witness,
      chainId,
      copied,
      rehearsal,
      findings: [...problems, ...failures],
      warnings,
      failover,
      notifiersConfigured: notifiers.map((n) => n.name),
      notifiers: delivered,
    },
    code,
  );
}

function describeCopy(witness: string, copied: CopiedWitness, role: string): string {
  const rate = (copied.props.hbd_interest_rate / 100).toFixed(2);
  const place =
    copied.schedulePosition === null
      ? 'not in the current round'
      : `slot ${copied.schedulePosition + 1} of ${copied.roundLength} in the current round`;
  return [
    `Copied from the real chain (public data only):`,
    `  signing key   ${copied.signingKey} (${role}${copied.keyHeld ? ', private key held' : ', private key NOT held'})`,
    `  url           ${copied.url}`,
    `  props         account creation fee ${copied.props.account_creation_fee}, max block ` +
      `${copied.props.maximum_block_size} bytes, HBD interest ${rate} %`,
    `  missed        ${copied.totalMissed} in total; ${place}`,
    `  active key    ${copied.activeKey ?? `none readable for ${witness}`}`,
  ].join('\n');
}

function finish(output: CommandContext['output'], result: DrillResult, code: number): number {
  const count = result.findings.length;
  const human = result.ok
    ? output.paint('green', `drill passed: ${result.witness} fails over with this configuration`)
    : `${output.paint('red', `drill found ${count} problem${count === 1 ? '' : 's'}`)}:\n${result.findings.map((f) => `  - ${f}`).join('\n')}`;
  output.result({ ...result }, human);
  return code;
}
