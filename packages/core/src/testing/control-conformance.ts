import assert from 'node:assert/strict';
import {
  ConfirmationCodes,
  type ControlCommand,
  type ControlProgress,
  type ControlResult,
  manualTarget,
  type TrapControl,
} from '../trap/control.js';
import type { TrapStatus } from '../trap.js';
import type { TestApi } from './conformance.js';

/** A control surface that records what a remote asked and follows the contract, without a chain. */
export interface RecordingControl extends TrapControl<TrapStatus> {
  /** Every command received, in order. */
  readonly commands: ControlCommand[];
  /** The switches carried out (after a valid confirmation, or asked without one). */
  readonly switches: Array<{ toKey: string; by: string }>;
}

const KEYS = {
  primary: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4',
  backup: 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX',
};
const TX_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const BLOCK = 4242;

/**
 * A {@link TrapControl} for remote tests: status of a witness `conformance-wit` on its primary key with one backup;
 * `pause`/`resume` toggle; `switch`/`disable` with `confirm` issue real one-time codes (60 s of `now`); a confirmed
 * switch "lands" at once in block 4242 with tx `c0ffee00...`, telling `progress.broadcast` first.
 */
export function recordingControl(now: () => number = Date.now): RecordingControl {
  const commands: ControlCommand[] = [];
  const switches: Array<{ toKey: string; by: string }> = [];
  const codes = new ConfirmationCodes();
  let paused: { at: number; by: string } | undefined;
  let currentKey = KEYS.primary;
  const status = (): TrapStatus => ({
    witness: 'conformance-wit',
    armed: true,
    running: true,
    mode: 'daemon',
    dryRun: false,
    currentKey,
    nextKey: KEYS.backup,
    missesInWindow: 0,
    threshold: 1,
    nodes: [{ url: 'http://127.0.0.1:1', fresh: true, available: true, failures: 0 }],
    switches: switches.length,
    freshNodes: 1,
    availableNodes: 1,
    configuredNodes: 1,
    degraded: false,
    backupKeys: [KEYS.backup],
    keyRole: currentKey === KEYS.backup ? 'backup' : 'held',
    ...(currentKey === KEYS.backup ? { backupIndex: 1 } : {}),
    ...(paused === undefined ? {} : { paused }),
  });
  const command = async (request: ControlCommand, progress?: ControlProgress): Promise<ControlResult> => {
    commands.push(request);
    const { by } = request;
    const refused = (code: Extract<ControlResult, { ok: false }>['code'], message: string): ControlResult => ({
      ok: false,
      command: request.command,
      code,
      message,
    });
    if (request.command === 'status') return { ok: true, command: 'status' };
    if (request.command === 'pause') {
      if (paused !== undefined) return refused('NO_CHANGE', 'already paused');
      paused = { at: now(), by };
      return { ok: true, command: 'pause' };
    }
    if (request.command === 'resume') {
      if (paused === undefined) return refused('NO_CHANGE', 'not paused');
      paused = undefined;
      return { ok: true, command: 'resume' };
    }
    let asked: ControlCommand = request;
    if (request.command === 'confirm') {
      const redeemed = codes.redeem(by, request.code, now());
      if ('code' in redeemed) return refused(redeemed.code, redeemed.message);
      asked =
        redeemed.command === 'disable' ? { command: 'disable', by } : { command: 'switch', by, to: redeemed.toKey };
    }
    const target = manualTarget(asked, currentKey, [KEYS.backup], KEYS.backup);
    if ('code' in target) return refused(target.code, target.message);
    if ((asked.command === 'switch' || asked.command === 'disable') && asked.confirm === true) {
      const issued = codes.issue(by, asked.command, target.toKey, now());
      return { ok: true, command: request.command, confirmation: { ...issued } };
    }
    const fromKey = currentKey;
    progress?.broadcast?.({
      txId: TX_ID,
      operation: 'witness_set_properties',
      fromKey,
      toKey: target.toKey,
      acceptedBy: ['http://127.0.0.1:1'],
      attempt: 1,
      dryRun: false,
    });
    currentKey = target.toKey;
    switches.push({ toKey: target.toKey, by });
    return {
      ok: true,
      command: request.command,
      switch: {
        status: 'confirmed',
        fromKey,
        toKey: target.toKey,
        txId: TX_ID,
        blockNum: BLOCK,
        byPeer: false,
        elapsedMs: 0,
        attempts: 1,
        operation: 'witness_set_properties',
      },
    };
  };
  return { commands, switches, status, command };
}

/** A one-time code in an answer. */
const CODE = /\b\d{6}\b/;

function codeIn(text: string): string {
  return /\b(\d{6})\b/.exec(text)?.[1] ?? '';
}

/** Resolves with the first answer to `sender`, from index `from` on, that `match` finds (10 s at most). */
async function reply(channel: RemoteChannel, sender: RemoteSender, match: RegExp, from: number): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = channel
      .replies(sender)
      .slice(from)
      .find((text) => match.test(text));
    if (found !== undefined) return found;
    if (Date.now() > until) assert.fail(`no answer matching ${match} to the ${sender}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Who speaks to the remote in the suite: the operator (an allowed sender) or a stranger (not allowed). */
export type RemoteSender = 'operator' | 'stranger';

/** What the suite needs to drive one remote (Telegram, Discord, Matrix, a web UI, ...). */
export interface RemoteUnderTest {
  /** The remote's name, for the suite's title. */
  name: string;
  /**
   * Starts a fresh channel (e.g. a fake vendor API) and the remote on it, obeying the operator only, driving
   * `control`. Every call is a new, independent setup.
   */
  start(control: TrapControl<TrapStatus>): Promise<RemoteChannel>;
}

/** One started remote and its channel. */
export interface RemoteChannel {
  /** `sender` sends one line of text (e.g. `/status`), dated now. */
  send(sender: RemoteSender, text: string): Promise<void>;
  /** Everything the remote answered `sender` so far, oldest first. */
  replies(sender: RemoteSender): string[];
  /** Stops the remote (it must end at once) and the channel. */
  stop(): Promise<void>;
}

/**
 * The remote-control conformance suite: a remote (Telegram's, or one built on `TrapControl` for another channel)
 * runs it in one line against {@link recordingControl}. It checks that the remote answers status to the operator;
 * obeys no one else and tells them nothing; never switches or disables without the one-time code, sent back by the
 * same sender; acts once per code; names the transaction, then the block; and stops at once.
 *
 * @example
 * describeRemoteControlConformance({ describe, it }, { name: 'telegram', start: async (control) => ... });
 */
export function describeRemoteControlConformance(api: TestApi, target: RemoteUnderTest): void {
  const { describe, it } = api;
  const withRemote = async (body: (channel: RemoteChannel, control: RecordingControl) => Promise<void>) => {
    const control = recordingControl();
    const channel = await target.start(control);
    try {
      await body(channel, control);
    } finally {
      await channel.stop();
    }
  };

  /** Sends `text` as `sender`, then waits for the first answer to it (after the sending) that `match` finds. */
  const ask = async (channel: RemoteChannel, sender: RemoteSender, text: string, match: RegExp) => {
    const from = channel.replies(sender).length;
    await channel.send(sender, text);
    return reply(channel, sender, match, from);
  };

  describe(`remote control conformance: ${target.name}`, () => {
    it("answers /status to the operator with the witness and its key's role", async () => {
      await withRemote(async (channel, control) => {
        const answer = await ask(channel, 'operator', '/status', /conformance-wit/);
        assert.match(answer, /primary/);
        assert.ok(answer.includes(KEYS.primary), 'the status does not show the signing key');
        assert.equal(control.commands.filter((c) => c.command === 'status').length, 1);
      });
    });

    it('gives a stranger no action and no answer', async () => {
      await withRemote(async (channel, control) => {
        for (const text of ['/status', '/pause', '/switch', '/disable', '/confirm 123456', '/help']) {
          await channel.send('stranger', text);
        }
        // The operator's round trip after the stranger's messages: by then they have all been read.
        await ask(channel, 'operator', '/help', /\/switch/);
        assert.deepEqual(channel.replies('stranger'), []);
        assert.equal(control.commands.length, 0);
        assert.equal(control.switches.length, 0);
      });
    });

    it('pauses and resumes, in the name of the sender', async () => {
      await withRemote(async (channel, control) => {
        await ask(channel, 'operator', '/pause', /[Pp]aused/);
        assert.ok(control.status().paused !== undefined, 'not paused');
        await ask(channel, 'operator', '/resume', /[Rr]esumed/);
        assert.equal(control.status().paused, undefined);
        const senders = new Set(control.commands.map((c) => c.by));
        assert.equal(senders.size, 1, 'the two commands came from one sender but were told apart');
      });
    });

    it('switches only on the one-time code from the same sender, once, naming the tx then the block', async () => {
      await withRemote(async (channel, control) => {
        const code = codeIn(await ask(channel, 'operator', '/switch', CODE));
        assert.equal(control.switches.length, 0, 'switched before the code came back');
        // A wrong code spends it: the right one afterwards does nothing.
        const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
        await ask(channel, 'operator', `/confirm ${wrong}`, /WRONG_CODE/);
        await ask(channel, 'operator', `/confirm ${code}`, /NO_CODE/);
        assert.equal(control.switches.length, 0);

        const good = codeIn(await ask(channel, 'operator', '/switch', CODE));
        const before = channel.replies('operator').length;
        await ask(channel, 'operator', `/confirm ${good}`, new RegExp(`${BLOCK}`));
        const answers = channel.replies('operator').slice(before);
        const txAt = answers.findIndex((text) => text.includes(TX_ID));
        const blockAt = answers.findIndex((text) => text.includes(String(BLOCK)));
        assert.ok(txAt >= 0 && txAt <= blockAt, 'the tx id was not named before (or with) the block');
        assert.deepEqual(
          control.switches.map((s) => s.toKey),
          [KEYS.backup],
        );
        await ask(channel, 'operator', `/confirm ${good}`, /NO_CODE/);
        assert.equal(control.switches.length, 1, 'one code made two switches');
      });
    });

    it('disables only on its code', async () => {
      await withRemote(async (channel, control) => {
        const code = codeIn(await ask(channel, 'operator', '/disable', CODE));
        assert.equal(control.switches.length, 0);
        await ask(channel, 'operator', `/confirm ${code}`, new RegExp(`${BLOCK}`));
        assert.deepEqual(
          control.switches.map((s) => s.toKey),
          ['STM1111111111111111111111111111111114T1Anm'],
        );
      });
    });

    it('refuses to switch to a key that is not a configured backup', async () => {
      await withRemote(async (channel, control) => {
        const stranger = 'STM5SKxjN1YdrFLgoPcp9KteUmNVdgE8DpTPC9sF6jbjVqP9d2Utq';
        await ask(channel, 'operator', `/switch ${stranger}`, /NOT_A_BACKUP_KEY/);
        assert.equal(control.switches.length, 0);
      });
    });

    it('stops at once', async () => {
      const control = recordingControl();
      const channel = await target.start(control);
      let stopped = false;
      const stopping = channel.stop().then(() => {
        stopped = true;
      });
      const guard = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([stopping, guard]);
      assert.ok(stopped, 'stop() did not end the remote within 5 s');
    });
  });
}
