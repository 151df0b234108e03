import type {
  AccountRecord,
  AppliedTransaction,
  BlockRecord,
  ChainData,
  MissedSlot,
  WitnessRecord,
} from '../chain-data.js';

/**
 * hived's response shapes: condenser_api's legacy form (assets as `"3.000 HIVE"`) and database_api's form (assets
 * as `{amount, precision, nai}`). Fields the trap never reads are present with plausible constant values, so that
 * clients written against real nodes find what they expect.
 */

/** What the shapes need besides the state. */
export interface ShapeContext {
  chainId: string;
  blockIntervalMs: number;
  timeString: (epochMs: number) => string;
}

const NAI: Record<string, { nai: string; precision: number }> = {
  HIVE: { nai: '@@000000021', precision: 3 },
  HBD: { nai: '@@000000013', precision: 3 },
  VESTS: { nai: '@@000000037', precision: 6 },
};

/** `"3.000 HIVE"` -> `{amount: "3000", precision: 3, nai: "@@000000021"}`. */
export function naiAsset(legacy: string): { amount: string; precision: number; nai: string } {
  const [number = '0', symbol = 'HIVE'] = legacy.split(' ');
  const spec = NAI[symbol] ?? { nai: '@@000000021', precision: 3 };
  const [whole = '0', frac = ''] = number.replace('-', '').split('.');
  const amount = BigInt(whole + frac.padEnd(spec.precision, '0').slice(0, spec.precision));
  return { amount: String(number.startsWith('-') ? -amount : amount), precision: spec.precision, nai: spec.nai };
}

/** `condenser_api.get_dynamic_global_properties`. */
export function legacyGlobals(data: ChainData, ctx: ShapeContext): Record<string, unknown> {
  const g = data.globals;
  return {
    id: 0,
    head_block_number: g.headBlockNumber,
    head_block_id: g.headBlockId,
    time: ctx.timeString(g.time),
    current_witness: g.currentWitness,
    total_pow: 514415,
    num_pow_witnesses: 172,
    virtual_supply: '450000000.000 HIVE',
    current_supply: '440000000.000 HIVE',
    init_hbd_supply: '0.000 HBD',
    current_hbd_supply: '30000000.000 HBD',
    total_vesting_fund_hive: '180000000.000 HIVE',
    total_vesting_shares: '300000000000.000000 VESTS',
    total_reward_fund_hive: '0.000 HIVE',
    total_reward_shares2: '0',
    pending_rewarded_vesting_shares: '0.000000 VESTS',
    pending_rewarded_vesting_hive: '0.000 HIVE',
    hbd_interest_rate: 1500,
    hbd_print_rate: 10000,
    maximum_block_size: 65536,
    required_actions_partition_percent: 0,
    current_aslot: g.currentAslot,
    recent_slots_filled: g.recentSlotsFilled.toString(),
    participation_count: g.participationCount,
    last_irreversible_block_num: g.lastIrreversibleBlockNum,
    vote_power_reserve_rate: 10,
    delegation_return_period: 432000,
    reverse_auction_seconds: 0,
    available_account_subsidies: 0,
    hbd_stop_percent: 2000,
    hbd_start_percent: 2000,
    next_maintenance_time: ctx.timeString(g.time + 3_600_000),
    last_budget_time: ctx.timeString(g.time),
    next_daily_maintenance_time: ctx.timeString(g.time + 86_400_000),
    content_reward_percent: 6500,
    vesting_reward_percent: 1500,
    proposal_fund_percent: 1000,
    dhf_interval_ledger: '0.000 HBD',
    downvote_pool_percent: 2500,
    current_remove_threshold: 200,
    early_voting_seconds: 86400,
    mid_voting_seconds: 172800,
    max_consecutive_recurrent_transfers: 100,
    max_recurrent_transfer_end_date: 730,
    min_recurrent_transfers_recurrence: 24,
    max_open_recurrent_transfers: 255,
  };
}

/** `database_api.get_dynamic_global_properties` (assets as NAI objects). */
export function databaseGlobals(data: ChainData, ctx: ShapeContext): Record<string, unknown> {
  const legacy = legacyGlobals(data, ctx);
  for (const [key, value] of Object.entries(legacy)) {
    if (typeof value === 'string' && /^-?\d+\.\d+ (HIVE|HBD|VESTS)$/.test(value)) legacy[key] = naiAsset(value);
  }
  return legacy;
}

/** A witness object, legacy form. */
export function legacyWitness(w: WitnessRecord): Record<string, unknown> {
  return {
    id: w.id,
    owner: w.owner,
    created: w.created,
    url: w.url,
    votes: w.votes,
    virtual_last_update: '0',
    virtual_position: '0',
    virtual_scheduled_time: '340282366920938463463374607431768211455',
    total_missed: w.total_missed,
    last_aslot: w.last_aslot,
    last_confirmed_block_num: w.last_confirmed_block_num,
    pow_worker: 0,
    signing_key: w.signing_key,
    props: { ...w.props },
    hbd_exchange_rate: { ...w.hbd_exchange_rate },
    last_hbd_exchange_update: w.last_hbd_exchange_update,
    last_work: '0000000000000000000000000000000000000000000000000000000000000000',
    running_version: w.running_version,
    hardfork_version_vote: w.hardfork_version_vote,
    hardfork_time_vote: w.hardfork_time_vote,
    available_witness_account_subsidies: 1000000,
  };
}

/** A witness object, database_api form. */
export function databaseWitness(w: WitnessRecord): Record<string, unknown> {
  const legacy = legacyWitness(w);
  return {
    ...legacy,
    props: { ...w.props, account_creation_fee: naiAsset(w.props.account_creation_fee) },
    hbd_exchange_rate: { base: naiAsset(w.hbd_exchange_rate.base), quote: naiAsset(w.hbd_exchange_rate.quote) },
  };
}

function medianProps(data: ChainData): WitnessRecord['props'] {
  const scheduled = data.schedule.current.map((n) => data.witnesses.get(n)).filter((w) => w !== undefined);
  const median = <T>(values: T[], by: (v: T) => number): T | undefined =>
    [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)];
  const fee = median(scheduled, (w) => Number.parseFloat(w.props.account_creation_fee));
  const size = median(scheduled, (w) => w.props.maximum_block_size);
  const rate = median(scheduled, (w) => w.props.hbd_interest_rate);
  return {
    account_creation_fee: fee?.props.account_creation_fee ?? '3.000 HIVE',
    maximum_block_size: size?.props.maximum_block_size ?? 65536,
    hbd_interest_rate: rate?.props.hbd_interest_rate ?? 0,
    account_subsidy_budget: 797,
    account_subsidy_decay: 347321,
  };
}

/** The witness schedule, legacy form; with `future`, `future_shuffled_witnesses` too. */
export function legacySchedule(data: ChainData, ctx: ShapeContext, future: boolean): Record<string, unknown> {
  const s = data.schedule;
  return {
    id: 0,
    current_virtual_time: '0',
    next_shuffle_block_num: s.nextShuffleBlockNum,
    current_shuffled_witnesses: [...s.current],
    ...(future ? { future_shuffled_witnesses: [...s.future] } : {}),
    num_scheduled_witnesses: s.current.length,
    elected_weight: 1,
    timeshare_weight: 5,
    miner_weight: 1,
    witness_pay_normalization_factor: 25,
    median_props: medianProps(data),
    majority_version: '1.28.0',
    max_voted_witnesses: 20,
    max_miner_witnesses: 0,
    max_runner_witnesses: 1,
    hardfork_required_witnesses: 17,
    account_subsidy_rd: {
      resource_unit: 10000,
      budget_per_time_unit: 797,
      pool_eq: 157691079,
      max_pool_size: 157691079,
    },
    account_subsidy_witness_rd: {
      resource_unit: 10000,
      budget_per_time_unit: 996,
      pool_eq: 9384019,
      max_pool_size: 9384019,
    },
    min_witness_account_subsidy_decay: 0,
    chain_id_time: ctx.timeString(0),
  };
}

/** The schedule, database_api form. */
export function databaseSchedule(data: ChainData, ctx: ShapeContext, future: boolean): Record<string, unknown> {
  const legacy = legacySchedule(data, ctx, future);
  const median = medianProps(data);
  return { ...legacy, median_props: { ...median, account_creation_fee: naiAsset(median.account_creation_fee) } };
}

/** A block header, as `block_api.get_block_header` gives it. */
export function blockHeader(block: BlockRecord, ctx: ShapeContext): Record<string, unknown> {
  return {
    previous: block.previous,
    timestamp: ctx.timeString(block.timestamp),
    witness: block.witness,
    transaction_merkle_root: block.transactions.length === 0 ? '0'.repeat(40) : block.id.slice(0, 8).padEnd(40, 'f'),
    extensions: [],
  };
}

/** A transaction as it appears inside a block or from `get_transaction`. */
export function legacyTransaction(tx: AppliedTransaction): Record<string, unknown> {
  return {
    ...tx.tx,
    transaction_id: tx.id,
    block_num: tx.blockNum,
    transaction_num: tx.trxNum,
  };
}

/** `condenser_api.get_block`. */
export function legacyBlock(block: BlockRecord, ctx: ShapeContext): Record<string, unknown> {
  return {
    ...blockHeader(block, ctx),
    witness_signature: `1f${block.id.repeat(4).slice(0, 128)}`,
    transactions: block.transactions.map((tx) => legacyTransaction(tx)),
    block_id: block.id,
    signing_key: block.signingKey,
    transaction_ids: block.transactions.map((tx) => tx.id),
  };
}

function authority(key: string): Record<string, unknown> {
  return { weight_threshold: 1, account_auths: [], key_auths: [[key, 1]] };
}

/** `condenser_api.get_accounts` entry. */
export function legacyAccount(a: AccountRecord): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    owner: authority(a.owner),
    active: authority(a.active),
    posting: authority(a.posting),
    memo_key: a.memo,
    json_metadata: '',
    posting_json_metadata: '',
    proxy: '',
    last_owner_update: '1970-01-01T00:00:00',
    last_account_update: a.created,
    created: a.created,
    mined: false,
    recovery_account: 'hive.fund',
    reset_account: 'null',
    last_account_recovery: '1970-01-01T00:00:00',
    comment_count: 0,
    lifetime_vote_count: 0,
    post_count: 0,
    can_vote: true,
    balance: '0.000 HIVE',
    savings_balance: '0.000 HIVE',
    hbd_balance: '0.000 HBD',
    savings_hbd_balance: '0.000 HBD',
    vesting_shares: '1000000.000000 VESTS',
    delegated_vesting_shares: '0.000000 VESTS',
    received_vesting_shares: '0.000000 VESTS',
    witnesses_voted_for: 0,
    witness_votes: [],
  };
}

/** `get_config`: the constants a client reads (HIVE_BLOCK_INTERVAL in seconds, as hived). */
export function config(ctx: ShapeContext): Record<string, unknown> {
  return {
    IS_TEST_NET: false,
    HIVE_ENABLE_SMT: false,
    HIVE_BLOCKCHAIN_VERSION: '1.28.0',
    HIVE_BLOCKCHAIN_HARDFORK_VERSION: '1.28.0',
    HIVE_ADDRESS_PREFIX: 'STM',
    HIVE_CHAIN_ID: ctx.chainId,
    HIVE_BLOCK_INTERVAL: ctx.blockIntervalMs / 1000,
    HIVE_BLOCKS_PER_DAY: Math.round(86_400_000 / ctx.blockIntervalMs),
    HIVE_BLOCKS_PER_YEAR: Math.round((365 * 86_400_000) / ctx.blockIntervalMs),
    HIVE_MAX_WITNESSES: 21,
    HIVE_MAX_VOTED_WITNESSES_HF17: 20,
    HIVE_MAX_RUNNER_WITNESSES_HF17: 1,
    HIVE_HARDFORK_REQUIRED_WITNESSES: 17,
    HIVE_MAX_TIME_UNTIL_EXPIRATION: 3600,
    HIVE_MAX_TIME_UNTIL_SIGNATURE_EXPIRATION: 86400,
    HIVE_MAX_WITNESS_URL_LENGTH: 2048,
    HIVE_MIN_BLOCK_SIZE_LIMIT: 65536,
    HIVE_SOFT_MAX_BLOCK_SIZE: 2097152,
    HIVE_MAX_TRANSACTION_SIZE: 65536,
    HIVE_100_PERCENT: 10000,
    HIVE_1_PERCENT: 100,
    HIVE_IRREVERSIBLE_THRESHOLD: 7500,
    HIVE_NULL_ACCOUNT: 'null',
    HIVE_INIT_PUBLIC_KEY_STR: 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX',
    HIVE_SYMBOL: { nai: '@@000000021', decimals: 3 },
    HBD_SYMBOL: { nai: '@@000000013', decimals: 3 },
    VESTS_SYMBOL: { nai: '@@000000037', decimals: 6 },
    SIMNET_BLOCK_INTERVAL_MS: ctx.blockIntervalMs,
  };
}

/** `get_version`. */
export function version(ctx: ShapeContext): Record<string, unknown> {
  return {
    blockchain_version: '1.28.3',
    hive_revision: 'simnet',
    fc_revision: 'simnet',
    chain_id: ctx.chainId,
    node_type: 'simnet',
  };
}

/**
 * The operations of a block as an account-history node lists them (`get_ops_in_block`): each transaction's
 * operations, then the virtual `producer_missed` of every slot this block charged as missed.
 */
export function opsInBlock(
  block: BlockRecord,
  missed: readonly MissedSlot[],
  onlyVirtual: boolean,
  ctx: ShapeContext,
): Array<Record<string, unknown>> {
  const timestamp = ctx.timeString(block.timestamp);
  const ops: Array<Record<string, unknown>> = [];
  if (!onlyVirtual) {
    for (const tx of block.transactions) {
      tx.operations.forEach((op, opInTrx) => {
        ops.push({
          trx_id: tx.id,
          block: block.num,
          trx_in_block: tx.trxNum,
          op_in_trx: opInTrx,
          virtual_op: false,
          timestamp,
          op,
        });
      });
    }
  }
  for (const slot of missed) {
    if (slot.chargedInBlock !== block.num) continue;
    ops.push({
      trx_id: '0'.repeat(40),
      block: block.num,
      trx_in_block: 4294967295,
      op_in_trx: 0,
      virtual_op: true,
      timestamp,
      op: ['producer_missed', { producer: slot.witness }],
    });
  }
  return ops;
}
