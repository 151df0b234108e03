import type { AccountRecord, LegacyOperation, WitnessRecord } from './chain-data.js';
import { HiveError } from './hive-error.js';
import { decodeWitnessProps, PropDecodeError } from './witness-props.js';

/**
 * The two operations that change a witness, as hived authorizes and evaluates them: `witness_set_properties`
 * (authority: the key in its `key` prop; evaluation: that key must still be the witness's signing key, which makes it
 * a compare-and-swap) and `witness_update` (authority: the owner's active key; overwrites url and props).
 */

/** What a transaction's operations need signed. */
export interface RequiredAuthorities {
  /** Accounts whose active authority must sign. */
  active: Set<string>;
  /** Single keys that must sign (`witness_set_properties`'s `key`). */
  other: Set<string>;
}

const SOFT_MAX_BLOCK_SIZE = 2 * 1024 * 1024;

function assert(condition: unknown, detail: string, facts: Record<string, unknown> = {}): asserts condition {
  if (!condition) throw new HiveError('assert', detail, facts);
}

function propsOf(body: Record<string, unknown>): Array<[string, string]> {
  const props = body.props;
  assert(Array.isArray(props), 'props must be a list of [name, value] pairs');
  return props.map((pair) => {
    assert(Array.isArray(pair) && pair.length === 2, 'props must be a list of [name, value] pairs');
    return [String(pair[0]), String(pair[1])];
  });
}

function decode(body: Record<string, unknown>) {
  try {
    return decodeWitnessProps(propsOf(body));
  } catch (error) {
    if (error instanceof PropDecodeError) throw new HiveError('assert', `Invalid witness property: ${error.message}`);
    throw error;
  }
}

/** Adds what `op` needs signed to `into`. Throws `HiveError` for an operation the simnet does not evaluate. */
export function addRequiredAuthorities(op: LegacyOperation, into: RequiredAuthorities): void {
  const [name, body] = op;
  switch (name) {
    case 'witness_set_properties': {
      const key = decode(body).key;
      assert(key !== undefined, 'No signing key provided');
      into.other.add(key);
      return;
    }
    case 'witness_update':
      into.active.add(String(body.owner));
      return;
    default:
      throw new HiveError('assert', `The simnet does not evaluate ${name}`, { operation: name });
  }
}

/** hived's legacy asset string, normalised to HIVE/HBD symbols. */
function legacyAsset(value: unknown): string {
  if (typeof value === 'string') return value.replace(/ STEEM$/, ' HIVE').replace(/ SBD$/, ' HBD');
  if (value && typeof value === 'object' && 'amount' in value && 'precision' in value && 'nai' in value) {
    const { amount, precision, nai } = value as { amount: string; precision: number; nai: string };
    const symbol = nai === '@@000000021' ? 'HIVE' : nai === '@@000000013' ? 'HBD' : 'VESTS';
    const scaled = BigInt(amount);
    const scale = 10n ** BigInt(precision);
    return `${scaled / scale}.${(scaled % scale).toString().padStart(precision, '0')} ${symbol}`;
  }
  throw new HiveError('assert', 'Invalid asset');
}

function assetAmount(text: string): number {
  return Number.parseFloat(text);
}

/** Applies `op` to `witnesses` (mutating the record in place). Throws `HiveError` where hived's evaluator would. */
export function applyOperation(
  op: LegacyOperation,
  witnesses: Map<string, WitnessRecord>,
  accounts: ReadonlyMap<string, AccountRecord>,
  context: { time: string; nextWitnessId: () => number },
): void {
  const [name, body] = op;
  const owner = String(body.owner);
  if (name === 'witness_set_properties') {
    const witness = witnesses.get(owner);
    assert(witness, `Witness ${owner} does not exist`, { owner });
    const props = decode(body);
    assert(props.key === witness.signing_key, "'key' does not match witness signing key.", {
      key: props.key,
      signing_key: witness.signing_key,
    });
    if (props.account_creation_fee !== undefined) witness.props.account_creation_fee = props.account_creation_fee;
    if (props.maximum_block_size !== undefined) witness.props.maximum_block_size = props.maximum_block_size;
    if (props.hbd_interest_rate !== undefined) witness.props.hbd_interest_rate = props.hbd_interest_rate;
    if (props.account_subsidy_budget !== undefined) witness.props.account_subsidy_budget = props.account_subsidy_budget;
    if (props.account_subsidy_decay !== undefined) witness.props.account_subsidy_decay = props.account_subsidy_decay;
    if (props.new_signing_key !== undefined) witness.signing_key = props.new_signing_key;
    if (props.url !== undefined) witness.url = props.url;
    if (props.hbd_exchange_rate !== undefined) {
      witness.hbd_exchange_rate = props.hbd_exchange_rate;
      witness.last_hbd_exchange_update = context.time;
    }
    return;
  }
  if (name === 'witness_update') {
    assert(accounts.has(owner), `Account ${owner} does not exist`, { owner });
    const props = (body.props ?? {}) as Record<string, unknown>;
    const maximumBlockSize = Number(props.maximum_block_size);
    assert(maximumBlockSize <= SOFT_MAX_BLOCK_SIZE, 'Max block size cannot be more than 2MiB');
    const fee = legacyAsset(body.fee);
    assert(assetAmount(fee) === 0, 'Account does not have sufficient funds for the witness fee', { fee });
    const existing = witnesses.get(owner);
    const witness: WitnessRecord = existing ?? newWitness(owner, context.nextWitnessId(), context.time);
    witness.url = String(body.url);
    witness.signing_key = String(body.block_signing_key);
    witness.props.account_creation_fee = legacyAsset(props.account_creation_fee);
    witness.props.maximum_block_size = maximumBlockSize;
    witness.props.hbd_interest_rate = Number(props.hbd_interest_rate);
    if (!existing) witnesses.set(owner, witness);
    return;
  }
  throw new HiveError('assert', `The simnet does not evaluate ${name}`, { operation: name });
}

/** A fresh witness object with hived's defaults. */
export function newWitness(owner: string, id: number, created: string, signingKey = ''): WitnessRecord {
  return {
    id,
    owner,
    created,
    url: '',
    votes: '0',
    total_missed: 0,
    last_aslot: 0,
    last_confirmed_block_num: 0,
    signing_key: signingKey,
    props: {
      account_creation_fee: '3.000 HIVE',
      maximum_block_size: 65536,
      hbd_interest_rate: 0,
      account_subsidy_budget: 797,
      account_subsidy_decay: 347321,
    },
    hbd_exchange_rate: { base: '0.250 HBD', quote: '1.000 HIVE' },
    last_hbd_exchange_update: created,
    running_version: '1.28.3',
    hardfork_version_vote: '1.28.0',
    hardfork_time_vote: '2025-11-19T14:00:00',
  };
}
