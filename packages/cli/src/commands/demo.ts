/**
 * `witness-trap demo`: the whole story, offline, on the embedded simulated chain with accelerated blocks. A chain
 * with the operator's witness, a primary and a backup node; the trap is armed; the primary dies; the narrative
 * shows the missed slot, the switch broadcast, its confirmation in block N, and the backup producing.
 */
import type { Notifier } from '@witness-trap/core';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { rehearse } from '../rehearsal.js';
import { describeTimeline, keyNames } from '../trap-parts.js';

/** The demo's block interval where none is given: fast enough to finish in seconds, slow enough to follow. */
const DEMO_BLOCK_INTERVAL_MS = 400;

/** Runs the demo; exit 0 when the backup produced a block for the witness after the confirmed switch. */
export async function demoCommand({ settings, output, signal }: CommandContext): Promise<number> {
  const interval = settings.blockIntervalMs ?? DEMO_BLOCK_INTERVAL_MS;
  const say = (text: string, event = 'demo') => output.say(text, event);
  say(output.paint('bold', 'witness-trap demo: automatic witness failover, on a simulated Hive chain'));
  say(
    output.paint(
      'dim',
      `Everything runs on 127.0.0.1; nothing touches a real Hive node. Blocks every ${interval} ms (Hive: 3000 ms).`,
    ),
  );
  const { wifKeyRing } = await import('@witness-trap/core');
  const phone: Notifier = {
    name: 'your-phone',
    async notify(notification) {
      say(`  ${output.paint('cyan', '[message to your phone]')} ${notification.text}`, 'demo-notification');
    },
  };
  let backupKey = '';
  const result = await rehearse({
    output,
    signal,
    blockIntervalMs: interval,
    backupNodes: 1,
    setup(me) {
      backupKey = me.backupKeys[0]?.publicKey ?? '';
      say(
        `\nA simulated chain with 21 witnesses. You are ${output.paint('bold', me.name)}.\n` +
          `  primary node signs with ${me.signingKey}\n` +
          `  backup node holds      ${backupKey} (idle until the chain names its key)\n` +
          "  the trap holds the primary's signing key, so it signs the switch without the active key\n",
      );
      return {
        signer: wifKeyRing({ signingKeys: [me.privateKey] }),
        backupKeys: [backupKey],
        notifiers: [phone],
        keyNames: keyNames([backupKey], [me.signingKey]),
      };
    },
    beforeKill(me, sim) {
      const next = sim.chain.nextSlot(me.name);
      const when = next
        ? ` ${me.name}'s next slot is in ${((next.time - Date.now()) / 1000).toFixed(1)} s: nobody will sign it.`
        : '';
      say(`\n${output.paint('red', 'The primary node goes down now.')}${when}\n`);
    },
  });
  if (result.status !== 'confirmed' || !result.produced) {
    const why =
      result.status === 'refused'
        ? result.problems.join('; ')
        : result.status === 'not-confirmed'
          ? result.outcome
          : 'the backup did not produce';
    say(`The demo did not end as it should (${why}). Please report this.`);
    return ExitCode.failure;
  }
  const { switch: confirmed, produced, missedSlots, timeline } = result;
  say(
    `\n${output.paint('green', `The backup node produced block ${produced.num} for ${produced.witness}`)}, signed with ${backupKey}.\n\n` +
      'What happened:\n' +
      `  missed slots       ${missedSlots.length} (${missedSlots.map((slot) => `slot ${slot.aslot}`).join(', ')})\n` +
      `${describeTimeline(timeline, interval).join('\n')}\n` +
      `  confirmed in block ${confirmed.blockNum}, via ${confirmed.operation} signed by the primary's key\n` +
      `  that switch was a compare-and-swap: several traps watching ${produced.witness} would still make exactly one\n`,
    'demo-summary',
  );
  say(
    'What next:\n' +
      '  witness-trap keygen                       a key pair for your real backup node\n' +
      '  witness-trap check --witness YOU ...      every problem in your configuration, at once\n' +
      '  witness-trap drill --witness YOU ...      this same story with YOUR configuration\n' +
      '  witness-trap run --help                   arm it for real (see docs/operations.md)',
    'demo-next',
  );
  return ExitCode.ok;
}
