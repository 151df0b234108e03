/**
 * The 2017 approach, rebuilt from its description (docs/peers.md: aaroncox/witness-failover) so that witness-trap
 * can be measured beside it in the same run. It polls the witness's lifetime `total_missed` every 30 s (10 blocks),
 * compares it with an absolute threshold entered by hand, and when the count reaches it, broadcasts one
 * `witness_update` signed with the owner's ACTIVE key, through one RPC node, and exits. It never checks that the
 * switch landed. The original also sent one SMS after the broadcast; that is left out, as it costs no block.
 */
import { Client, PrivateKey } from '@hiveio/dhive';
import type { Clock } from '@witness-trap/core';

/** What the poller decides after one poll. */
export type PollVerdict = 'wait' | 'fire' | 'done';

/**
 * The 2017 script's decision, free of I/O: fire once, at the first poll whose `total_missed` has reached the
 * absolute threshold; after that it has exited and decides nothing.
 *
 * @example
 * ```ts
 * const poller = new Baseline2017Poller(89); // total_missed was 88 when the operator set it up
 * poller.observe(88); // 'wait'
 * poller.observe(89); // 'fire'
 * poller.observe(90); // 'done'
 * ```
 */
export class Baseline2017Poller {
  #fired = false;

  /** @param threshold - The absolute `total_missed` at which to fire (the operator's hand-set number). */
  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 0) throw new RangeError('threshold must be a whole number >= 0');
  }

  /** Feeds one poll's `total_missed`. */
  observe(totalMissed: number): PollVerdict {
    if (this.#fired) return 'done';
    if (totalMissed < this.threshold) return 'wait';
    this.#fired = true;
    return 'fire';
  }

  /** Whether it has fired (and so exited). */
  get fired(): boolean {
    return this.#fired;
  }
}

/** Options of {@link runBaseline2017}. */
export interface Baseline2017Options {
  /** The one RPC node the script talks to. */
  node: string;
  /** The chain id it signs for. */
  chainId: string;
  witness: string;
  /** The owner's active key (WIF): the 2017 script signed `witness_update` with it. */
  activeKey: string;
  /** The signing key to switch to. */
  backupKey: string;
  /** The absolute `total_missed` that fires it. */
  threshold: number;
  /** Time between polls, ms of `clock`. @default 30_000 (10 blocks at Hive's pace) */
  pollEveryMs?: number;
  /** Wait this long before the first poll (the script's start is not aligned to the chain's slots). @default 0 */
  startDelayMs?: number;
  clock: Clock;
  /** Stops polling. */
  signal?: AbortSignal;
}

/** How a run of the 2017 script ended. */
export interface Baseline2017Outcome {
  /** `fired`: it broadcast and exited (whether the switch landed, it never knew). */
  status: 'fired' | 'stopped' | 'broadcast-failed';
  polls: number;
  /** Clock time of the poll that fired. */
  firedAt?: number;
  /** The error that killed it (a broadcast error ended the original before its SMS). */
  error?: string;
}

/**
 * Runs the 2017 script against `node` until it fires or `signal` aborts. Reads with
 * `condenser_api.get_witness_by_account`; fires with dhive's `sendOperations` (which reads the dynamic global
 * properties for TaPoS, then calls `condenser_api.broadcast_transaction`), as the original's library did.
 * The url and props are copied from the witness just read, so the switch changes only the key.
 */
export async function runBaseline2017(options: Baseline2017Options): Promise<Baseline2017Outcome> {
  const client = new Client([options.node], { chainId: options.chainId, addressPrefix: 'STM', timeout: 5000 });
  const poller = new Baseline2017Poller(options.threshold);
  const every = options.pollEveryMs ?? 30_000;
  let polls = 0;
  try {
    await options.clock.sleep(options.startDelayMs ?? 0, options.signal);
    for (;;) {
      const witness = (await client.database.call('get_witness_by_account', [options.witness])) as WitnessJson | null;
      polls += 1;
      if (witness !== null && poller.observe(witness.total_missed) === 'fire') {
        const firedAt = options.clock.now();
        try {
          await client.broadcast.sendOperations(
            [witnessUpdate(witness, options.backupKey)],
            PrivateKey.fromString(options.activeKey),
          );
          return { status: 'fired', polls, firedAt };
        } catch (error) {
          return { status: 'broadcast-failed', polls, firedAt, error: String(error) };
        }
      }
      await options.clock.sleep(every, options.signal);
    }
  } catch (error) {
    if (options.signal?.aborted) return { status: 'stopped', polls };
    throw error;
  }
}

/** The fields of hived's condenser witness object the script uses. */
interface WitnessJson {
  owner: string;
  url: string;
  total_missed: number;
  props: { account_creation_fee: string; maximum_block_size: number; hbd_interest_rate: number };
}

function witnessUpdate(witness: WitnessJson, key: string): ['witness_update', Record<string, unknown>] {
  return [
    'witness_update',
    {
      owner: witness.owner,
      url: witness.url,
      block_signing_key: key,
      props: {
        account_creation_fee: witness.props.account_creation_fee,
        maximum_block_size: witness.props.maximum_block_size,
        hbd_interest_rate: witness.props.hbd_interest_rate,
      },
      fee: '0.000 HIVE',
    },
  ];
}
