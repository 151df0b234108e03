/**
 * `witness-trap drill`: a fire drill of the operator's own configuration. It reads the witness from the configured
 * chain, then rehearses on a simulated chain with a witness of the same name whose keys are stand-ins mapped 1:1 to
 * the configured ones (the on-chain key, each backup, the active key). The trap there holds exactly the stand-ins of
 * the keys the operator holds, so it fails where the real one would: no key to sign with, a backup equal to the
 * current key. No real private key leaves the key ring, and nothing is broadcast to the real chain. Finally every
 * configured notifier gets one test message.
 */
import { type Notifier, shortKey, type TrapNotification } from '@witness-trap/core';
import type { KeyPair } from '@witness-trap/simnet';
import { connect } from '../connect.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { buildNotifiers, sendTestNotification, type TestDelivery } from '../notifiers.js';
import { rehearse } from '../rehearsal.js';
import { describeTimeline, keyNames } from '../trap-parts.js';
import { UsageError } from '../usage-error.js';
import { readWitnessView, type WitnessView } from '../witness-view.js';

/** The drill's pace: accelerated like the demo, or as fast as the configured chain where that is faster. */
const DRILL_BLOCK_INTERVAL_MS = 400;

/** The drill's verdict, as `--json` prints it. */
interface DrillResult {
  ok: boolean;
  witness: string;
  /** What would go wrong, one line each, in terms of the real keys. */
  findings: string[];
  failover: {
    fromKey: string;
    toKey: string;
    operation: string;
    missedSlots: number;
    blockIntervalMs: number;
    /** Block intervals from the missed slot to the broadcast, and to the confirmation. */
    intervalsToBroadcast: number | null;
    intervalsToConfirm: number | null;
    backupProduced: boolean;
  } | null;
  notifiers: TestDelivery[];
}

/** Runs the drill; exit 0 when this configuration fails over and every notifier delivered. */
export async function drillCommand({ settings, output, signal }: CommandContext): Promise<number> {
  const witness = settings.witness ?? '';
  const interval = Math.min(DRILL_BLOCK_INTERVAL_MS, settings.blockIntervalMs ?? DRILL_BLOCK_INTERVAL_MS);
  const connection = await connect(settings);
  const { keys } = connection;
  const { notifiers, problems: notifierProblems } = await buildNotifiers(settings);
  const findings = [...notifierProblems];
  let activeIsValid = false;
  let view: WitnessView | undefined;
  try {
    view = await readWitnessView(connection.chain, {
      witness,
      backupKeys: settings.backupKeys,
      heldKeys: keys.signingPublicKeys,
    });
    if (view && keys.activePublicKey) {
      const account = await connection.chain.getAccount(witness);
      activeIsValid = account.value?.active.keyAuths.some(([key]) => key === keys.activePublicKey) ?? false;
      if (!activeIsValid) findings.push(`the configured active key is not in ${witness}'s active authority`);
    }
  } finally {
    await connection.close();
  }
  if (!view) throw new UsageError('CONFIG_UNKNOWN_WITNESS', [`--witness ${witness}: no such witness on this chain`]);
  const onChain = view.signingKey;

  const say = (text: string, event = 'drill') => output.say(text, event);
  say(output.paint('bold', `witness-trap drill: would ${witness} fail over with this configuration?`));
  say(
    output.paint(
      'dim',
      `A simulated chain on 127.0.0.1, blocks every ${interval} ms. Copied from the real chain: the name and ` +
        'which configured key is on chain. Every key there is a stand-in: your private keys stay in the key ring.',
    ),
  );
  const { wifKeyRing } = await import('@witness-trap/core');
  const others = settings.backupKeys.filter((key) => key !== onChain);
  const toReal = new Map<string, string>();
  const told: TrapNotification[] = [];
  const recorder: Notifier = {
    name: 'drill',
    async notify(notification) {
      told.push(notification);
    },
  };
  const realNames = keyNames(settings.backupKeys, keys.signingPublicKeys);
  const result = await rehearse({
    output,
    signal,
    blockIntervalMs: interval,
    backupNodes: others.length,
    witnesses: [
      { name: witness },
      ...Array.from({ length: 20 }, (_, i) => ({ name: `drill-${String(i + 1).padStart(2, '0')}` })),
    ].filter((entry, index) => index === 0 || entry.name !== witness),
    setup(me) {
      // Real key -> stand-in: the on-chain key gets the simulated witness's signing key, each other backup a node.
      const standIns = new Map<string, KeyPair>([[onChain, { publicKey: me.signingKey, privateKey: me.privateKey }]]);
      others.forEach((key, index) => {
        const pair = me.backupKeys[index];
        if (pair) standIns.set(key, pair);
      });
      for (const [real, pair] of standIns) toReal.set(pair.publicKey, real);
      const held = keys.signingPublicKeys.flatMap((key) => {
        const pair = standIns.get(key);
        return pair ? [pair.privateKey] : [];
      });
      const names = new Map(
        [...standIns].map(([real, pair]) => [
          pair.publicKey,
          `for ${shortKey(real)}${realNames.has(real) ? `, ${realNames.get(real)}` : ''}`,
        ]),
      );
      return {
        signer: wifKeyRing({ signingKeys: held, ...(activeIsValid ? { activeKey: me.activeKey } : {}) }),
        backupKeys: settings.backupKeys.map((key) => standIns.get(key)?.publicKey ?? key),
        notifiers: [recorder],
        misses: settings.misses,
        windowMs: settings.windowMs,
        keyNames: names,
      };
    },
    beforeKill() {
      say(`\nThe node signing with ${shortKey(onChain)} (on chain now) goes down.`);
    },
  });
  const inRealKeys = (text: string) =>
    [...toReal].reduce((out, [standIn, real]) => out.split(standIn).join(real), text);

  if (result.status === 'refused') {
    findings.unshift(...result.problems.map(inRealKeys));
    return finish(output, { ok: false, witness, findings, failover: null, notifiers: [] }, ExitCode.usage);
  }
  if (result.status === 'not-confirmed') {
    findings.unshift(`the switch did not land on the simulated chain (the trap ended with ${result.outcome})`);
    return finish(output, { ok: false, witness, findings, failover: null, notifiers: [] }, ExitCode.failure);
  }
  const { switch: confirmed, timeline, missedSlots, produced } = result;
  if (!produced) findings.push('after the switch, the backup node did not produce a block within a round and a half');
  const toKey = toReal.get(confirmed.toKey) ?? confirmed.toKey;
  say(
    `\n${output.paint('green', 'This configuration fails over')}: ${shortKey(onChain)} -> ${shortKey(toKey)} via ` +
      `${confirmed.operation}, ${missedSlots.length} missed slot${missedSlots.length === 1 ? '' : 's'}.\n` +
      describeTimeline(timeline, interval).join('\n'),
    'drill-failover',
  );
  if (told[0]) say(`  your notifiers would be told: ${inRealKeys(told[0].text)}`, 'drill-notification');
  if (notifiers.length === 0) {
    output.log(
      'warn',
      'drill-note',
      'no notifier configured: nobody would be told (set TELEGRAM_* / TWILIO_* or --webhook)',
    );
  }
  const delivered = await sendTestNotification(notifiers, witness, 'witness-trap drill', signal);
  for (const entry of delivered) if (!entry.ok) findings.push(`notifier ${entry.notifier} failed: ${entry.error}`);
  const intervals = (at: number | undefined) =>
    at === undefined || timeline.missedSlotTime === undefined
      ? null
      : Math.round(((at - timeline.missedSlotTime) / interval) * 10) / 10;
  const failover = {
    fromKey: onChain,
    toKey,
    operation: confirmed.operation,
    missedSlots: missedSlots.length,
    blockIntervalMs: interval,
    intervalsToBroadcast: intervals(timeline.broadcastAt),
    intervalsToConfirm: intervals(timeline.confirmedAt),
    backupProduced: produced !== undefined,
  };
  const code = findings.length === 0 ? ExitCode.ok : notifierProblems.length > 0 ? ExitCode.usage : ExitCode.failure;
  return finish(output, { ok: findings.length === 0, witness, findings, failover, notifiers: delivered }, code);
}

function finish(output: CommandContext['output'], result: DrillResult, code: number): number {
  const count = result.findings.length;
  const human = result.ok
    ? output.paint('green', `drill passed: ${result.witness} fails over with this configuration`)
    : `${output.paint('red', `drill found ${count} problem${count === 1 ? '' : 's'}`)}:\n${result.findings.map((f) => `  - ${f}`).join('\n')}`;
  output.result({ ...result }, human);
  return code;
}
