import type { Logger, PendingSwitch, PublicKeyString, SwitchRecord, WitnessState } from '../types.js';
import type { SwitchOutcome } from './switch.js';

/** What the carry-over part needs of the trap. */
export interface CarryoverOptions {
  mode: 'one-shot' | 'daemon';
  log: Logger;
  /** The decisive head's time (chain time, epoch ms), read until trusted; bounded by the arming deadline. */
  headTime: () => Promise<number>;
  /** Drops the pending switch from the state (it expired unconfirmed). */
  drop: () => Promise<void>;
}

/** How a switch left pending by an earlier run was reconciled with the chain. */
export type Reconciled =
  /** No switch was pending. */
  | 'none'
  /** Its old key is still on chain and its transaction expired: dropped; a new miss fires a new one. */
  | 'dropped'
  /** It resumes through the switch machine (rebroadcast, confirmed, or a peer's key adopted under the live rules). */
  | 'resumed';

/**
 * What an earlier run left for this one: the one owner of a switch to resume (saved as pending before it was
 * broadcast) and of a one-shot run cut off after its switch was confirmed. Set at arming from the state and the
 * chain, taken once by the run loop.
 */
export class Carryover {
  readonly #o: CarryoverOptions;
  #resume: PendingSwitch | undefined;
  #finished: SwitchOutcome | undefined;

  constructor(options: CarryoverOptions) {
    this.#o = options;
  }

  /** Arming again starts from the chain and the state, not from what an earlier arming concluded. */
  clear(): void {
    this.#resume = undefined;
    this.#finished = undefined;
  }

  /**
   * Reconciles a switch saved as pending by an earlier run with the witness as the chain shows it. The chain still
   * shows the old key: the switch resumes while its transaction is valid (the same one is rebroadcast), and is
   * dropped once expired. The chain shows another key: the switch resumes through the machine too, under the live
   * rules (our transaction found in a block is confirmed in THAT block; a key that is not ours is adopted only once
   * it has held for a full block).
   */
  async reconcile(pending: PendingSwitch | undefined, witness: WitnessState): Promise<Reconciled> {
    if (pending === undefined) return 'none';
    if (witness.signingKey === pending.fromKey && (await this.#o.headTime()) >= pending.expiresAt) {
      this.#o.log.info('a pending switch from an earlier run expired unconfirmed; watching for a new miss', {
        txId: pending.txId,
      });
      await this.#o.drop();
      return 'dropped';
    }
    this.#resume = pending;
    return 'resumed';
  }

  /**
   * A one-shot run killed after its switch was confirmed but before it ended (a crash, kill -9, a power cut) is
   * finished, not re-armed: the key it switched to is still on chain, so the run is over and exits as confirmed,
   * without announcing the switch again. Returns that key (now on chain); `undefined` where a run ended normally,
   * the key changed since, or in daemon mode.
   */
  finishCutOffRun(last: SwitchRecord | undefined, witness: WitnessState): PublicKeyString | undefined {
    if (this.#o.mode !== 'one-shot' || last === undefined || last.ended === true) return undefined;
    if (last.toKey !== witness.signingKey) return undefined;
    this.#finished = {
      status: 'confirmed',
      fromKey: last.fromKey,
      toKey: last.toKey,
      blockNum: last.confirmedBlock ?? witness.lastConfirmedBlockNum,
      byPeer: last.byPeer,
      elapsedMs: 0,
      attempts: 0,
      operation: 'witness_set_properties',
      ...(last.txId === undefined ? {} : { txId: last.txId }),
    };
    return last.toKey;
  }

  /**
   * A one-shot run that finds its switch already on chain (a cut-off run, or a resumed switch whose old key is gone)
   * is done: nothing is left to arm for, so the chain's objections to arming do not apply.
   */
  doneAlready(witness: WitnessState | null): boolean {
    if (this.#o.mode !== 'one-shot') return false;
    const settling = this.#resume !== undefined && witness !== null && witness.signingKey !== this.#resume.fromKey;
    return this.#finished !== undefined || settling;
  }

  /** The cut-off run's switch, once: the run loop ends with it (one-shot). */
  takeFinished(): SwitchOutcome | undefined {
    const finished = this.#finished;
    this.#finished = undefined;
    return finished;
  }

  /** The switch to resume, once. */
  takeResume(): PendingSwitch | undefined {
    const resume = this.#resume;
    this.#resume = undefined;
    return resume;
  }
}
