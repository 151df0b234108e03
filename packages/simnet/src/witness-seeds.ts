import { PublicKey } from '@hiveio/dhive';
import type { WitnessRecord } from './chain-data.js';
import { witnessName } from './roster.js';
import type { SimnetOptions, SimnetWitnessSeed } from './types.js';
import { NULL_KEY } from './witness-props.js';

/**
 * The `witnesses` option, checked: names, and the state each seeded witness starts with. A seed is checked as hived
 * would check the same values in a `witness_update`, so that a copy of a real witness is one hived could hold.
 */

/** hived's `HIVE_MAX_WITNESSES`: the length of a round. */
const ROUND = 21;

/** The names and seeds of the `witnesses` option; `problem` is called with the reason for anything invalid. */
export function witnessSeeds(
  option: SimnetOptions['witnesses'],
  problem: (reason: string) => Error,
): { names: string[]; seeds: Array<SimnetWitnessSeed | undefined> } {
  const list: SimnetWitnessSeed[] =
    option === undefined || typeof option === 'number'
      ? Array.from({ length: option ?? 21 }, (_, i) => ({ name: witnessName(i) }))
      : option;
  const names = list.map((w) => w.name);
  if (names.length < 1) throw problem('at least one witness is needed');
  if (names.length > 1000) throw problem('at most 1000 witnesses');
  if (new Set(names).size !== names.length) throw problem('witness names must be unique');
  for (const name of names)
    if (typeof name !== 'string' || !isAccountName(name)) throw problem(`not a valid Hive account name: ${name}`);
  const positions = new Set<number>();
  const seeds = list.map((entry) => {
    const { name: _name, ...state } = entry;
    if (Object.keys(state).length === 0) return undefined;
    checkSeed(entry, Math.min(names.length, ROUND), problem);
    if (entry.schedulePosition !== undefined) {
      if (positions.has(entry.schedulePosition))
        throw problem(`two witnesses seeded at schedulePosition ${entry.schedulePosition}`);
      positions.add(entry.schedulePosition);
    }
    return entry;
  });
  return { names, seeds };
}

function checkSeed(seed: SimnetWitnessSeed, roundLength: number, problem: (reason: string) => Error): void {
  const where = `witness ${seed.name}`;
  for (const [field, key] of [
    ['signingKey', seed.signingKey],
    ['activeKey', seed.activeKey],
  ] as const) {
    if (key === undefined) continue;
    if (!isPublicKey(key) && !(field === 'signingKey' && key === NULL_KEY))
      throw problem(`${where}: ${field} is not a valid public key`);
  }
  if (seed.url !== undefined && (typeof seed.url !== 'string' || seed.url.length > 2048))
    throw problem(`${where}: url must be a string of at most 2048 characters`);
  const props = seed.props ?? {};
  if (props.account_creation_fee !== undefined && !/^\d{1,15}\.\d{3} HIVE$/.test(props.account_creation_fee))
    throw problem(`${where}: props.account_creation_fee must be a legacy asset like "3.000 HIVE"`);
  if (props.maximum_block_size !== undefined && !isIntegerIn(props.maximum_block_size, 1, 2 ** 32 - 1))
    throw problem(`${where}: props.maximum_block_size must be a positive integer`);
  if (props.hbd_interest_rate !== undefined && !isIntegerIn(props.hbd_interest_rate, 0, 10_000))
    throw problem(`${where}: props.hbd_interest_rate must be an integer from 0 to 10000 (basis points)`);
  if (seed.totalMissed !== undefined && !isIntegerIn(seed.totalMissed, 0, 2 ** 32 - 1))
    throw problem(`${where}: totalMissed must be a non-negative integer`);
  if (seed.schedulePosition !== undefined && !isIntegerIn(seed.schedulePosition, 0, roundLength - 1))
    throw problem(`${where}: schedulePosition must be an integer from 0 to ${roundLength - 1}`);
}

/** Hive's rule: 3 to 16 characters, dot-separated parts of 3 or more, each a letter then letters, digits, dashes. */
function isAccountName(name: string): boolean {
  return (
    name.length >= 3 &&
    name.length <= 16 &&
    name.split('.').every((part) => /^[a-z][a-z0-9-]*[a-z0-9]$/.test(part) && part.length >= 3)
  );
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isPublicKey(text: unknown): boolean {
  if (typeof text !== 'string' || !text.startsWith('STM')) return false;
  try {
    PublicKey.fromString(text);
    return true;
  } catch {
    return false;
  }
}

/** Applies a seed's url, props and missed count to the witness object made for it. */
export function applySeed(witness: WitnessRecord, seed: SimnetWitnessSeed | undefined): void {
  if (!seed) return;
  if (seed.url !== undefined) witness.url = seed.url;
  if (seed.totalMissed !== undefined) witness.total_missed = seed.totalMissed;
  const props = seed.props ?? {};
  if (props.account_creation_fee !== undefined) witness.props.account_creation_fee = props.account_creation_fee;
  if (props.maximum_block_size !== undefined) witness.props.maximum_block_size = props.maximum_block_size;
  if (props.hbd_interest_rate !== undefined) witness.props.hbd_interest_rate = props.hbd_interest_rate;
}

/**
 * Moves each seeded witness to its `schedulePosition` in `order` (a swap, so the rest keep the shuffle's order).
 * A witness not in `order` (not elected, or disabled) stays out.
 */
export function placeSeeded(order: string[], seeds: ReadonlyArray<SimnetWitnessSeed | undefined>): string[] {
  const placed = [...order];
  for (const seed of seeds) {
    const position = seed?.schedulePosition;
    if (seed === undefined || position === undefined || position >= placed.length) continue;
    const from = placed.indexOf(seed.name);
    if (from < 0) continue;
    placed[from] = placed[position] as string;
    placed[position] = seed.name;
  }
  return placed;
}
