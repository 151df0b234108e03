import type { WitnessTrapError } from './errors.js';
import type { ControlCommandName, ControlRefusalCode } from './trap/control.js';
import type { NodeStatus, NotificationKind, PublicKeyString } from './types.js';

/** Which operation carries a key switch. */
export type SwitchOperation = 'witness_set_properties' | 'witness_update';

/** One RPC node's refusal of a broadcast: its URL and why (hived's `data.name` and message, shortened). */
export interface NodeRefusal {
  node: string;
  reason: string;
}

/** Why a switch was fired. */
export type TriggerReason = 'missed' | 'preemptive' | 'manual' | 'kill-switch';

/**
 * The events a `FailoverTrap` emits, each with one payload object. Subscribe with `trap.on('missed', (e) => ...)`;
 * the payload type follows from the event name.
 */
export interface TrapEvents {
  /** The trap read the witness and is watching it. */
  armed: {
    witness: string;
    /** The signing key on chain now. */
    currentKey: PublicKeyString;
    /** The key the next switch will go to (health permitting). */
    nextKey: PublicKeyString;
    backupKeys: PublicKeyString[];
    /** `witness_set_properties` where the current key is held; `witness_update` where only the active key can. */
    operation: SwitchOperation;
    /** `total_missed` when armed: misses are counted from here. */
    baselineTotalMissed: number;
    mode: 'one-shot' | 'daemon';
    dryRun: boolean;
    /** The trap reconciled a switch left pending by an earlier run. */
    resumed: boolean;
  };
  /** The trap saw a new head (once per poll that moved the head). */
  block: { number: number; witness: string; aslot: number; time: number; node: string };
  /** The witness's next slot, as computed after each check. */
  'next-slot': { aslot: number; time: number; inMs: number };
  /**
   * The watcher checked one of the witness's slots: once per slot it was due to check, produced or missed. The
   * heartbeat of the watch: a watch that stops checking says so with `stalled`.
   */
  slot: {
    witness: string;
    /** The absolute slot checked. */
    aslot: number;
    /** When it was due (chain time, epoch ms). */
    time: number;
    /** The witness produced it (or produced after it: its node is alive). */
    produced: boolean;
    /** The witness's block, where it produced. */
    blockNum?: number;
    /** When the check decided (the trap's clock, epoch ms). */
    checkedAt: number;
  };
  /**
   * The watch stopped checking slots (once per episode, and again if the reason changes): `check-overdue`, a slot
   * due to be checked has no verdict 4 block intervals after it; `no-slot-predicted`,
   * no usable schedule for a round; `reads-failing`, either of these while every decisive read fails. `/healthz`
   * is unhealthy until `unstalled`.
   */
  stalled: {
    reason: 'check-overdue' | 'no-slot-predicted' | 'reads-failing';
    /** Since when (the trap's clock, epoch ms). */
    since: number;
    /** The slot whose check is overdue. */
    aslot?: number;
    message: string;
  };
  /** The watch checks slots again after `stalled`. */
  unstalled: { since: number; at: number };
  /** Our witness missed a slot (certain: a later block arrived without ours). */
  missed: {
    witness: string;
    aslot: number;
    /** When that slot was due, epoch ms. */
    slotTime: number;
    /**
     * The block that showed the miss: the decisive head past the slot, or, where a decisive witness read showed the
     * miss charged while the head read beside it still lagged short of the slot, the block after that head (the
     * earliest block that can have charged it).
     */
    seenInBlock: number;
    /** Misses counted in the window, this one included. */
    missesInWindow: number;
    threshold: number;
    key: PublicKeyString;
  };
  /** The policy fired: a switch is about to be signed. */
  triggered: { witness: string; reason: TriggerReason; fromKey: PublicKeyString; toKey: PublicKeyString };
  /** A signed switch went out (or, in a dry run, was signed and not sent). */
  broadcast: {
    txId: string;
    operation: SwitchOperation;
    fromKey: PublicKeyString;
    toKey: PublicKeyString;
    acceptedBy: string[];
    /** 1 for the first broadcast of this signed tx; more for rebroadcasts and re-signed retries. */
    attempt: number;
    dryRun: boolean;
    /** Nodes that refused it or failed, each with why (hived's reason, shortened). Absent when none did. */
    refusedBy?: NodeRefusal[];
  };
  /** The chain shows the new key. */
  confirmed: {
    witness: string;
    fromKey: PublicKeyString;
    toKey: PublicKeyString;
    txId?: string;
    /** The block it was seen in (or the head when it was seen, for a peer's switch). */
    blockNum: number;
    /** Another trap instance (or a person) made this switch; we adopted it. */
    byPeer: boolean;
    /** From the trigger to the confirmation, ms. */
    elapsedMs: number;
  };
  /** A switch did not land after every retry. Loud. */
  failed: {
    witness: string;
    fromKey: PublicKeyString;
    toKey: PublicKeyString;
    attempts: number;
    error: WitnessTrapError;
    /** The last broadcast's refusals, node by node (hived's reason, shortened). Absent when no node refused it. */
    refusedBy?: NodeRefusal[];
  };
  /**
   * A broadcast switch outlived its expiration and the chain could not be read well enough to say whether it
   * landed. Loud. The trap keeps looking, backing off, and ends with `confirmed` (found in a block, or a peer's key
   * held), a re-signed attempt (still wanted), or `failed`, once the chain answers again.
   */
  unconfirmed: { witness: string; fromKey: PublicKeyString; toKey: PublicKeyString; txId: string; expiresAt: number };
  /**
   * A switch was given up because it is no longer wanted (the witness produced again, or its old key came back
   * while a key seen on chain did not settle). Nothing was switched; the trap keeps watching. Told to the
   * operator where the switch had been announced (`fired`).
   */
  abandoned: {
    witness: string;
    fromKey: PublicKeyString;
    toKey: PublicKeyString;
    /** Signed attempts made. */
    attempts: number;
    /** Why, in a sentence. */
    reason: string;
  };
  /** A notifier delivered a message. */
  notified: { notifier: string; kind: NotificationKind; elapsedMs: number };
  /** A notifier gave up on a message. The failover is not affected. */
  'notify-failed': { notifier: string; kind: NotificationKind; error: WitnessTrapError };
  /** The witness produced a block again after misses (on whichever key). */
  recovered: { witness: string; blockNum: number; key: PublicKeyString };
  /** Every backup has failed or is unusable. `killSwitch`: the null key was set (or is being set). */
  exhausted: { witness: string; triedKeys: PublicKeyString[]; killSwitch: boolean };
  /**
   * The RPC nodes' availability changed (a node went unavailable or came back). `available` of `configured` are
   * available now; `degraded` while that is fewer than a majority of the configured nodes (the trap still decides
   * on them, but a miss must hold on two reads a block apart).
   */
  nodes: { nodes: NodeStatus[]; available: number; configured: number; degraded: boolean };
  /** Something went wrong that the trap survived (a read failed, the state file could not be written, ...). */
  error: { error: WitnessTrapError; during: string };
  /** The trap was paused (`pause()` or a remote's `/pause`): it keeps watching, but fires nothing on its own. */
  paused: { at: number; by: string };
  /** The trap was resumed: misses are counted again from now, and the next one that meets the policy fires. */
  resumed: { at: number; by: string };
  /** A control command arrived (from a remote, or `command()` in code), before any check. */
  command: { command: ControlCommandName; by: string; at: number; to?: PublicKeyString };
  /**
   * A `switch` or `disable` asked with `confirm: true` is waiting for its one-time code (the code itself is never in
   * an event: events are logged).
   */
  'command-pending': { command: ControlCommandName; by: string; at: number; toKey: PublicKeyString; expiresAt: number };
  /** A control command was refused: nothing changed. */
  'command-refused': {
    command: ControlCommandName;
    by: string;
    at: number;
    code: ControlRefusalCode | 'SWITCH_FAILED';
    message: string;
  };
  /** A control command was carried out (a switch: confirmed on chain, or signed in a dry run). */
  'command-executed': {
    command: ControlCommandName;
    by: string;
    at: number;
    fromKey?: PublicKeyString;
    toKey?: PublicKeyString;
    txId?: string;
    blockNum?: number;
  };
  /** The trap stopped. */
  stopped: { reason: 'confirmed' | 'requested' | 'failed' | 'exhausted' | 'error'; error?: WitnessTrapError };
}

/** The name of a trap event. */
export type TrapEventName = keyof TrapEvents;
