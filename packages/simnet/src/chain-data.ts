/**
 * The simulated chain's state as plain data, so that a frozen endpoint can keep a copy of the whole of it (see
 * `snapshotChainData`). Blocks and applied transactions never change once made and are shared by snapshots.
 */

/** A legacy-JSON operation, `[name, body]`. */
export type LegacyOperation = [string, Record<string, unknown>];

/** A signed transaction in hived's legacy JSON. */
export interface LegacyTransaction {
  ref_block_num: number;
  ref_block_prefix: number;
  expiration: string;
  operations: LegacyOperation[];
  extensions: unknown[];
  signatures: string[];
}

/** The three witness props `witness_update` sets (and overwrites). */
export interface WitnessPropsRecord {
  /** Legacy asset string, `3.000 HIVE`. */
  account_creation_fee: string;
  maximum_block_size: number;
  hbd_interest_rate: number;
  account_subsidy_budget: number;
  account_subsidy_decay: number;
}

/** A witness object, field names as hived's. */
export interface WitnessRecord {
  id: number;
  owner: string;
  created: string;
  url: string;
  votes: string;
  total_missed: number;
  last_aslot: number;
  last_confirmed_block_num: number;
  signing_key: string;
  props: WitnessPropsRecord;
  hbd_exchange_rate: { base: string; quote: string };
  last_hbd_exchange_update: string;
  running_version: string;
  hardfork_version_vote: string;
  hardfork_time_vote: string;
}

/** An account: just its keys (threshold-1 single-key authorities, as a witness's usually are). */
export interface AccountRecord {
  id: number;
  name: string;
  owner: string;
  active: string;
  posting: string;
  memo: string;
  created: string;
}

/** A transaction included in a block. */
export interface AppliedTransaction {
  /** Transaction id (hex, 40 chars). */
  id: string;
  blockNum: number;
  /** Position in its block. */
  trxNum: number;
  /** The transaction as broadcast. */
  tx: LegacyTransaction;
  operations: LegacyOperation[];
  /** Public keys recovered from its signatures. */
  signerKeys: string[];
  /** Epoch ms. */
  expiration: number;
}

/** A produced block. */
export interface BlockRecord {
  num: number;
  id: string;
  previous: string;
  /** Epoch ms (the slot time). */
  timestamp: number;
  witness: string;
  /** The witness's signing key that produced it. */
  signingKey: string;
  aslot: number;
  transactions: AppliedTransaction[];
}

/** A slot nobody produced, charged to its witness when the next block arrived (as hived does). */
export interface MissedSlot {
  aslot: number;
  witness: string;
  /** Epoch ms the slot was due. */
  slotTime: number;
  /** The witness's signing key then. */
  signingKey: string;
  /** The block whose production charged the miss. */
  chargedInBlock: number;
  /**
   * The witness did produce this slot, but a one-block micro-fork orphaned its block (see
   * `SimnetOptions.microForkRate`): the chain's doing, which no watcher can prevent, as opposed to a node that was
   * down. Absent for an ordinary miss.
   */
  forked?: true;
}

/** The dynamic global properties that move. */
export interface GlobalsRecord {
  headBlockNumber: number;
  headBlockId: string;
  /** Epoch ms. */
  time: number;
  currentWitness: string;
  currentAslot: number;
  lastIrreversibleBlockNum: number;
  /** 128 bits, newest slot lowest. */
  recentSlotsFilled: bigint;
  participationCount: number;
}

/** The witness schedule. */
export interface ScheduleRecord {
  current: string[];
  future: string[];
  nextShuffleBlockNum: number;
}

/** The whole chain state. */
export interface ChainData {
  globals: GlobalsRecord;
  schedule: ScheduleRecord;
  witnesses: Map<string, WitnessRecord>;
  accounts: Map<string, AccountRecord>;
  /** Index = block number - 1. */
  blocks: BlockRecord[];
  /** By id. */
  transactions: Map<string, AppliedTransaction>;
  missed: MissedSlot[];
}

/** A copy that later changes to `data` do not reach. */
export function snapshotChainData(data: ChainData): ChainData {
  return {
    globals: { ...data.globals },
    schedule: {
      current: [...data.schedule.current],
      future: [...data.schedule.future],
      nextShuffleBlockNum: data.schedule.nextShuffleBlockNum,
    },
    witnesses: new Map([...data.witnesses].map(([k, w]) => [k, structuredClone(w)])),
    accounts: new Map([...data.accounts].map(([k, a]) => [k, { ...a }])),
    blocks: data.blocks.slice(),
    transactions: new Map(data.transactions),
    missed: data.missed.slice(),
  };
}
