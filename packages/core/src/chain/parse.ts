/**
 * Turns hived's JSON into the trap's types. hived writes times as UTC without a zone suffix, assets either as
 * legacy strings (`"3.000 HIVE"`) or as `{amount, nai, precision}`, and 64-bit numbers as strings; a node behind a
 * misconfigured proxy writes anything at all. Each parser returns a whole value or throws
 * {@link MalformedAnswerError} naming the field: never a half-parsed object.
 */
import type {
  AccountAuthorities,
  Authority,
  BlockHeaderInfo,
  HeadState,
  WitnessProps,
  WitnessSchedule,
  WitnessState,
} from '../types.js';

/** An answer that does not have the shape hived gives. The client turns it into an `RpcError`. */
export class MalformedAnswerError extends Error {
  constructor(readonly field: string) {
    super(`malformed answer: ${field}`);
    this.name = 'MalformedAnswerError';
  }
}

type Json = Record<string, unknown>;

/** `get_dynamic_global_properties` -> HeadState. */
export function parseHead(raw: unknown): HeadState {
  const o = object(raw, 'dynamic global properties');
  const head: HeadState = {
    headBlockNumber: integer(o.head_block_number, 'head_block_number'),
    headBlockId: blockId(o.head_block_id, 'head_block_id'),
    headBlockTime: time(o.time, 'time'),
    currentAslot: integer(o.current_aslot, 'current_aslot'),
    currentWitness: string(o.current_witness, 'current_witness'),
    lastIrreversibleBlockNum: integer(o.last_irreversible_block_num, 'last_irreversible_block_num'),
  };
  // hived's block ids begin with the block number: a node whose two disagree is broken or lying.
  if (numberInId(head.headBlockId) !== head.headBlockNumber) fail('head_block_id (not the head block number)');
  if (head.lastIrreversibleBlockNum > head.headBlockNumber) fail('last_irreversible_block_num (past the head)');
  return head;
}

/** `get_witness_by_account` (an object or null) or `find_witnesses` (`{witnesses: [...]}`) -> WitnessState | null. */
export function parseWitness(raw: unknown, owner: string): WitnessState | null {
  if (raw === null) return null;
  let o = object(raw, 'witness');
  if (Array.isArray(o.witnesses)) {
    const found = o.witnesses.find((w) => typeof w === 'object' && w !== null && (w as Json).owner === owner);
    if (found === undefined) return null;
    o = object(found, 'witness');
  }
  const witness: WitnessState = {
    owner: string(o.owner, 'owner'),
    url: typeof o.url === 'string' ? o.url : fail('url'),
    signingKey: string(o.signing_key, 'signing_key'),
    totalMissed: integer(o.total_missed, 'total_missed'),
    lastAslot: integer(o.last_aslot, 'last_aslot'),
    lastConfirmedBlockNum: integer(o.last_confirmed_block_num, 'last_confirmed_block_num'),
    props: parseWitnessProps(o.props),
  };
  if (witness.owner !== owner) fail('owner (another account)');
  if (typeof o.running_version === 'string') witness.runningVersion = o.running_version;
  return witness;
}

function parseWitnessProps(raw: unknown): WitnessProps {
  const o = object(raw, 'props');
  return {
    accountCreationFee: asset(o.account_creation_fee, 'props.account_creation_fee'),
    maximumBlockSize: integer(o.maximum_block_size, 'props.maximum_block_size'),
    hbdInterestRate: integer(o.hbd_interest_rate, 'props.hbd_interest_rate'),
  };
}

/** `get_witness_schedule` (condenser or database_api, with or without the future round) -> WitnessSchedule. */
export function parseSchedule(raw: unknown): WitnessSchedule {
  const o = object(raw, 'witness schedule');
  const current = names(o.current_shuffled_witnesses, 'current_shuffled_witnesses');
  const count = integer(o.num_scheduled_witnesses, 'num_scheduled_witnesses');
  if (count < 1 || count > current.length) fail('num_scheduled_witnesses');
  const schedule: WitnessSchedule = {
    // hived pads the fixed-size array with empty names past num_scheduled_witnesses.
    currentShuffledWitnesses: current.slice(0, count),
    numScheduledWitnesses: count,
    nextShuffleBlockNum: integer(o.next_shuffle_block_num, 'next_shuffle_block_num'),
  };
  if (o.future_shuffled_witnesses !== undefined && o.future_shuffled_witnesses !== null) {
    const future = names(o.future_shuffled_witnesses, 'future_shuffled_witnesses').filter((name) => name !== '');
    if (future.length > 0) schedule.futureShuffledWitnesses = future;
  }
  return schedule;
}

/**
 * `condenser_api.get_block` (a block or null), `block_api.get_block` (`{block}` or `{}`) or
 * `block_api.get_block_header` (`{header}` or `{}`) -> BlockHeaderInfo | null.
 */
export function parseBlockHeader(raw: unknown, blockNum: number): BlockHeaderInfo | null {
  if (raw === null) return null;
  let o = object(raw, 'block');
  if ('block' in o || 'header' in o || Object.keys(o).length === 0) {
    const inner = o.block ?? o.header;
    if (inner === undefined || inner === null) return null;
    o = object(inner, 'block');
  }
  const previous = blockId(o.previous, 'previous');
  // The block number is in its id and in its parent's: both must say the same.
  if (numberInId(previous) !== blockNum - 1) fail('previous (another block)');
  const header: BlockHeaderInfo = {
    number: blockNum,
    previous,
    timestamp: time(o.timestamp, 'timestamp'),
    witness: string(o.witness, 'witness'),
  };
  if (o.block_id !== undefined) {
    const id = blockId(o.block_id, 'block_id');
    if (numberInId(id) !== blockNum) fail('block_id (another block)');
    header.id = id;
  }
  if (o.signing_key !== undefined) header.signingKey = string(o.signing_key, 'signing_key');
  if (o.transaction_ids !== undefined) header.transactionIds = names(o.transaction_ids, 'transaction_ids');
  return header;
}

/** `condenser_api.get_accounts [[name]]` (an array) or one account object -> AccountAuthorities | null. */
export function parseAccount(raw: unknown, name: string): AccountAuthorities | null {
  let value = raw;
  if (Array.isArray(value)) {
    value = value.find((a) => typeof a === 'object' && a !== null && (a as Json).name === name);
    if (value === undefined) return null;
  }
  if (value === null) return null;
  const o = object(value, 'account');
  if (string(o.name, 'name') !== name) fail('name (another account)');
  return { name, active: authority(o.active, 'active'), owner: authority(o.owner, 'owner') };
}

/**
 * `get_config` -> the block interval in ms. hived gives `HIVE_BLOCK_INTERVAL` in seconds; a simulated chain may
 * give a fraction of a second, or milliseconds: values of 100 and above are taken as milliseconds.
 */
export function parseBlockInterval(raw: unknown): number {
  const o = object(raw, 'config');
  // The simulated chain also says it exactly, in milliseconds.
  if (o.SIMNET_BLOCK_INTERVAL_MS !== undefined) {
    const ms = integer(o.SIMNET_BLOCK_INTERVAL_MS, 'SIMNET_BLOCK_INTERVAL_MS');
    if (ms < 1 || ms > 600_000) fail('SIMNET_BLOCK_INTERVAL_MS');
    return ms;
  }
  const value = o.HIVE_BLOCK_INTERVAL ?? o.STEEM_BLOCK_INTERVAL;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) fail('HIVE_BLOCK_INTERVAL');
  const ms = n >= 100 ? n : n * 1000;
  if (ms < 1 || ms > 600_000) fail('HIVE_BLOCK_INTERVAL');
  return Math.round(ms);
}

function authority(raw: unknown, field: string): Authority {
  const o = object(raw, field);
  return {
    weightThreshold: integer(o.weight_threshold, `${field}.weight_threshold`),
    keyAuths: pairs(o.key_auths, `${field}.key_auths`),
    accountAuths: pairs(o.account_auths, `${field}.account_auths`),
  };
}

function pairs(raw: unknown, field: string): Array<[string, number]> {
  if (!Array.isArray(raw)) fail(field);
  return raw.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) fail(field);
    return [string(pair[0], field), integer(pair[1], field)];
  });
}

/** Asset symbols by NAI, as the legacy form writes them. */
const NAI_SYMBOLS: Record<string, string> = { '@@000000021': 'HIVE', '@@000000013': 'HBD', '@@000000037': 'VESTS' };

function asset(raw: unknown, field: string): string {
  if (typeof raw === 'string') {
    if (!/^-?\d+(\.\d+)? [A-Z]{3,7}$/.test(raw)) fail(field);
    return raw;
  }
  const o = object(raw, field);
  const symbol = typeof o.nai === 'string' ? NAI_SYMBOLS[o.nai] : undefined;
  const precision = integer(o.precision, `${field}.precision`);
  const amount = typeof o.amount === 'string' || typeof o.amount === 'number' ? String(o.amount) : '';
  if (symbol === undefined || !/^\d+$/.test(amount) || precision > 18) fail(field);
  const digits = amount.padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  return precision === 0 ? `${whole} ${symbol}` : `${whole}.${digits.slice(-precision)} ${symbol}`;
}

function object(raw: unknown, field: string): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(field);
  return raw as Json;
}

function string(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw === '') fail(field);
  return raw;
}

function names(raw: unknown, field: string): string[] {
  if (!Array.isArray(raw) || !raw.every((name) => typeof name === 'string')) fail(field);
  return raw as string[];
}

function integer(raw: unknown, field: string): number {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(field);
  return n;
}

/** The block number hived puts in the first 4 bytes of a block id. */
function numberInId(id: string): number {
  return Number.parseInt(id.slice(0, 8), 16);
}

function blockId(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || !/^[0-9a-f]{40}$/i.test(raw)) fail(field);
  return raw.toLowerCase();
}

/** hived's `YYYY-MM-DDTHH:mm:ss`, UTC without a zone; a `Z` or fractional seconds are accepted too. */
function time(raw: unknown, field: string): number {
  if (typeof raw !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$/.test(raw)) fail(field);
  const ms = Date.parse(raw.endsWith('Z') ? raw : `${raw}Z`);
  if (!Number.isFinite(ms)) fail(field);
  return ms;
}

function fail(field: string): never {
  throw new MalformedAnswerError(field);
}
