import type { Chain } from '../chain.js';
import type { ChainData, WitnessRecord } from '../chain-data.js';
import { HiveError } from '../hive-error.js';
import { TransactionShapeError } from '../transaction-check.js';
import { RPC_INVALID_PARAMS, RPC_METHOD_NOT_FOUND, RpcFailure } from './json-rpc.js';
import {
  blockHeader,
  config,
  databaseGlobals,
  databaseSchedule,
  databaseWitness,
  legacyAccount,
  legacyBlock,
  legacyGlobals,
  legacySchedule,
  legacyTransaction,
  legacyWitness,
  opsInBlock,
  type ShapeContext,
  version,
} from './shapes.js';

/** One broadcast as the simnet received it: accepted, rejected (with hived's `data.name`), dropped or hung. */
export interface BroadcastRecord {
  /** Simulated time (epoch ms) it arrived. */
  at: number;
  /** Index of the endpoint that received it. */
  endpoint: number;
  method: string;
  /** The transaction id, where the transaction could be decoded. */
  txId?: string;
  /** Whether the node accepted it into its mempool (a dropped broadcast is answered `{}` but not accepted). */
  accepted: boolean;
  /** The endpoint's fault at the time, if one changed the outcome. */
  fault?: 'drop-broadcasts' | 'hang-broadcasts' | 'frozen-head' | 'withhold-broadcasts';
  /** hived's error, for a rejection. */
  error?: { code: number; name: string; message: string };
  /** The operations' names. */
  operations: string[];
}

/** simnet_api's controls (the simnet implements them). */
export interface SimnetControl {
  stopNode(key: string, mode: 'blackhole' | 'refuse' | undefined): void;
  orphanNextHead(): void;
  startNode(key: string): void;
  addNode(key: string, options: { up?: boolean }): void;
  injectFault(fault: unknown, endpoint: number | undefined): { id: number };
  removeFault(id: number): boolean;
  clearFaults(endpoint: number | undefined): void;
  state(): Record<string, unknown>;
}

/** What a method sees. */
export interface MethodContext {
  chain: Chain;
  /** The state reads come from: the live chain, or a frozen endpoint's snapshot. */
  data: ChainData;
  shape: ShapeContext;
  endpoint: number;
  /** How this endpoint treats broadcasts now. */
  broadcastMode:
    | 'normal'
    | 'drop-broadcasts'
    | 'hang-broadcasts'
    | 'frozen-head'
    | 'withhold-broadcasts'
    | 'not-enough-rc';
  /** The witness objects witness reads answer from (with pending transactions applied, where the simnet says so). */
  readWitnesses: () => ReadonlyMap<string, WitnessRecord>;
  now: () => number;
  record: (record: BroadcastRecord) => void;
  control: SimnetControl;
  /** Never resolves until the endpoint closes the connection (a hung broadcast). */
  hang: () => Promise<never>;
  /** Waits for `promise` without counting as busy (the manual clock must not wait for a long-poll to end). */
  park: <T>(promise: Promise<T>) => Promise<T>;
}

type Method = (params: unknown, ctx: MethodContext) => unknown;

function invalid(message: string): RpcFailure {
  return new RpcFailure(RPC_INVALID_PARAMS, `Invalid parameters: ${message}`);
}

function arrayParams(params: unknown, min: number, max: number): unknown[] {
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list)) throw invalid('condenser_api takes a list of parameters');
  if (list.length < min || list.length > max)
    throw invalid(`expected ${min === max ? min : `${min} to ${max}`} parameters`);
  return list;
}

function objectParams(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw invalid('this API takes an object of parameters');
  return params as Record<string, unknown>;
}

function blockNum(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw invalid('block_num must be a uint32');
  return value;
}

function accountName(value: unknown): string {
  if (typeof value !== 'string' || value.length > 16)
    throw invalid('account name must be a string of at most 16 characters');
  return value;
}

function nameList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length > 1000) throw invalid(`${field} must be a list of at most 1000 names`);
  return value.map(accountName);
}

function block(ctx: MethodContext, num: number) {
  return ctx.chain.blockIn(ctx.data, num);
}

/** The account the first operation acts for (`owner` of a witness operation), for hived's RC message. */
function operationOwner(tx: unknown): string | undefined {
  const first = (tx as { operations?: unknown[] })?.operations?.[0];
  const body = Array.isArray(first) ? (first[1] as { owner?: unknown }) : undefined;
  return typeof body?.owner === 'string' ? body.owner : undefined;
}

async function broadcast(ctx: MethodContext, method: string, tx: unknown): Promise<{ id: string } | undefined> {
  const operations = Array.isArray((tx as { operations?: unknown })?.operations)
    ? ((tx as { operations: unknown[] }).operations.map((op) => (Array.isArray(op) ? String(op[0]) : '?')) as string[])
    : [];
  const base = { at: ctx.now(), endpoint: ctx.endpoint, method, operations };
  if (ctx.broadcastMode === 'drop-broadcasts') {
    ctx.record({ ...base, accepted: false, fault: 'drop-broadcasts' });
    return undefined;
  }
  let txId: string;
  try {
    if (ctx.broadcastMode === 'not-enough-rc') {
      // hived's RC check runs after the transaction is validated: a malformed one is refused for that first
      const checked = ctx.chain.check(tx, ctx.data, []);
      const payer = operationOwner(tx) ?? 'the account';
      const refused = new HiveError(
        'notEnoughRc',
        `Account: ${payer} has 0 RC, needs 1104857 RC. Please wait to transact, or power up HIVE.`,
        { account: payer },
      );
      refused.txId = checked.id;
      throw refused;
    }
    if (ctx.broadcastMode === 'frozen-head') txId = ctx.chain.check(tx, ctx.data, []).id;
    else {
      // checked against this endpoint's own pool; a withholding endpoint keeps it to itself
      const relay = ctx.broadcastMode !== 'withhold-broadcasts';
      txId = ctx.chain.accept(tx, ctx.endpoint, ctx.now(), relay).id;
    }
  } catch (error) {
    if (error instanceof TransactionShapeError) {
      ctx.record({
        ...base,
        accepted: false,
        error: { code: RPC_INVALID_PARAMS, name: 'invalid_params', message: error.message },
      });
      throw invalid(error.message);
    }
    if (error instanceof HiveError) {
      ctx.record({
        ...base,
        ...(error.txId === undefined ? {} : { txId: error.txId }),
        accepted: false,
        error: { code: error.dataCode, name: error.dataName, message: error.detail },
      });
    }
    throw error;
  }
  const frozen = ctx.broadcastMode === 'frozen-head';
  ctx.record({
    ...base,
    txId,
    accepted: !frozen,
    ...(ctx.broadcastMode === 'normal' ? {} : { fault: ctx.broadcastMode }),
  });
  if (ctx.broadcastMode === 'hang-broadcasts') return ctx.hang();
  return { id: txId };
}

const condenser: Record<string, Method> = {
  get_dynamic_global_properties: (p, ctx) => {
    arrayParams(p, 0, 0);
    return legacyGlobals(ctx.data, ctx.shape);
  },
  get_witness_by_account: (p, ctx) => {
    const [name] = arrayParams(p, 1, 1);
    const w = ctx.readWitnesses().get(accountName(name));
    return w ? legacyWitness(w) : null;
  },
  get_witnesses: (p, ctx) => {
    const [ids] = arrayParams(p, 1, 1);
    if (!Array.isArray(ids)) throw invalid('ids must be a list');
    const byId = new Map([...ctx.data.witnesses.values()].map((w) => [w.id, w]));
    return ids.map((id) => {
      const w = byId.get(Number(id));
      return w ? legacyWitness(w) : null;
    });
  },
  get_active_witnesses: (p, ctx) => {
    arrayParams(p, 0, 1);
    return [...ctx.data.schedule.current];
  },
  get_witness_count: (p, ctx) => {
    arrayParams(p, 0, 0);
    return ctx.data.witnesses.size;
  },
  get_witness_schedule: (p, ctx) => {
    // hived (HF26+) takes an optional include_future flag here too
    const [includeFuture] = arrayParams(p, 0, 1);
    if (includeFuture !== undefined && typeof includeFuture !== 'boolean')
      throw invalid('include_future must be a boolean');
    return legacySchedule(ctx.data, ctx.shape, includeFuture === true);
  },
  get_chain_properties: (p, ctx) => {
    arrayParams(p, 0, 0);
    return legacySchedule(ctx.data, ctx.shape, false).median_props;
  },
  get_hardfork_version: (p) => {
    arrayParams(p, 0, 0);
    return '1.28.0';
  },
  get_block: (p, ctx) => {
    const [num] = arrayParams(p, 1, 1);
    const b = block(ctx, blockNum(num));
    return b ? legacyBlock(b, ctx.shape) : null;
  },
  get_block_header: (p, ctx) => {
    const [num] = arrayParams(p, 1, 1);
    const b = block(ctx, blockNum(num));
    return b ? blockHeader(b, ctx.shape) : null;
  },
  get_accounts: (p, ctx) => {
    const [names] = arrayParams(p, 1, 2);
    return nameList(names, 'account names').flatMap((n) => {
      const a = ctx.data.accounts.get(n);
      return a ? [legacyAccount(a)] : [];
    });
  },
  get_config: (p, ctx) => {
    arrayParams(p, 0, 0);
    return config(ctx.shape);
  },
  get_version: (p, ctx) => {
    arrayParams(p, 0, 0);
    return version(ctx.shape);
  },
  get_ops_in_block: (p, ctx) => {
    const [num, onlyVirtual] = arrayParams(p, 1, 2);
    if (onlyVirtual !== undefined && typeof onlyVirtual !== 'boolean') throw invalid('only_virtual must be a boolean');
    const b = block(ctx, blockNum(num));
    return b ? opsInBlock(b, missedChargedIn(ctx, b.num), onlyVirtual === true, ctx.shape) : [];
  },
  get_transaction: (p, ctx) => {
    const [id] = arrayParams(p, 1, 1);
    if (typeof id !== 'string' || !/^[0-9a-f]{40}$/.test(id)) throw invalid('transaction id must be 40 hex characters');
    const tx = ctx.data.transactions.get(id);
    if (!tx) throw new HiveError('assert', `Unknown Transaction ${id}`, { id });
    return legacyTransaction(tx);
  },
  broadcast_transaction: async (p, ctx) => {
    const [tx] = arrayParams(p, 1, 1);
    await broadcast(ctx, 'condenser_api.broadcast_transaction', tx);
    return {};
  },
  broadcast_transaction_synchronous: async (p, ctx) => {
    const [tx] = arrayParams(p, 1, 1);
    const accepted = await broadcast(ctx, 'condenser_api.broadcast_transaction_synchronous', tx);
    // A withheld transaction never settles on chain: hived would answer only at its expiration.
    if (!accepted || ctx.broadcastMode === 'withhold-broadcasts') return ctx.hang();
    const result = await ctx.park(ctx.chain.whenSettled(accepted.id));
    return result.included
      ? { id: accepted.id, block_num: result.blockNum, trx_num: result.trxNum, expired: false }
      : { id: accepted.id, block_num: 0, trx_num: 0, expired: true };
  },
};

const database: Record<string, Method> = {
  get_dynamic_global_properties: (p, ctx) => {
    objectParams(p);
    return databaseGlobals(ctx.data, ctx.shape);
  },
  find_witnesses: (p, ctx) => {
    const owners = nameList(objectParams(p).owners, 'owners');
    const witnesses = ctx.readWitnesses();
    return {
      witnesses: owners.flatMap((o) => {
        const w = witnesses.get(o);
        return w ? [databaseWitness(w)] : [];
      }),
    };
  },
  get_witness_schedule: (p, ctx) => {
    const includeFuture = objectParams(p).include_future;
    if (includeFuture !== undefined && typeof includeFuture !== 'boolean')
      throw invalid('include_future must be a boolean');
    return databaseSchedule(ctx.data, ctx.shape, includeFuture === true);
  },
  find_accounts: (p, ctx) => {
    const names = nameList(objectParams(p).accounts, 'accounts');
    return {
      accounts: names.flatMap((n) => {
        const a = ctx.data.accounts.get(n);
        return a ? [legacyAccount(a)] : [];
      }),
    };
  },
  get_config: (p, ctx) => {
    objectParams(p);
    return config(ctx.shape);
  },
  get_version: (p, ctx) => {
    objectParams(p);
    return version(ctx.shape);
  },
};

/** The missed slots charged in block `num` (the list is in block order: search from the end). */
function missedChargedIn(ctx: MethodContext, num: number) {
  const out = [];
  for (let i = ctx.data.missed.length - 1; i >= 0; i--) {
    const slot = ctx.data.missed[i];
    if (!slot || slot.chargedInBlock < num) break;
    if (slot.chargedInBlock === num) out.unshift(slot);
  }
  return out;
}

const accountHistory: Record<string, Method> = {
  get_ops_in_block: (p, ctx) => {
    const params = objectParams(p);
    const onlyVirtual = params.only_virtual;
    if (onlyVirtual !== undefined && typeof onlyVirtual !== 'boolean') throw invalid('only_virtual must be a boolean');
    const b = block(ctx, blockNum(params.block_num));
    return { ops: b ? opsInBlock(b, missedChargedIn(ctx, b.num), onlyVirtual === true, ctx.shape) : [] };
  },
};

const blockApi: Record<string, Method> = {
  get_block_header: (p, ctx) => {
    const b = block(ctx, blockNum(objectParams(p).block_num));
    return b ? { header: blockHeader(b, ctx.shape) } : {};
  },
  get_block: (p, ctx) => {
    const b = block(ctx, blockNum(objectParams(p).block_num));
    if (!b) return {};
    const full = legacyBlock(b, ctx.shape);
    return { block: full };
  },
};

const networkBroadcast: Record<string, Method> = {
  broadcast_transaction: async (p, ctx) => {
    const params = objectParams(p);
    if (!('trx' in params)) throw invalid('trx is required');
    await broadcast(ctx, 'network_broadcast_api.broadcast_transaction', params.trx);
    return {};
  },
};

function keyParam(p: unknown): string {
  const key = objectParams(p).key;
  if (typeof key !== 'string' || !key.startsWith('STM')) throw invalid('key must be a public key (STM...)');
  return key;
}

function endpointParam(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid('endpoint must be an index');
  return value;
}

const simnet: Record<string, Method> = {
  stop_node: (p, ctx) => {
    const mode = objectParams(p).mode;
    if (mode !== undefined && mode !== 'blackhole' && mode !== 'refuse')
      throw invalid("mode must be 'blackhole' or 'refuse'");
    ctx.control.stopNode(keyParam(p), mode);
    return {};
  },
  orphan_head: (p, ctx) => {
    objectParams(p);
    ctx.control.orphanNextHead();
    return {};
  },
  start_node: (p, ctx) => {
    ctx.control.startNode(keyParam(p));
    return {};
  },
  add_node: (p, ctx) => {
    const up = objectParams(p).up;
    if (up !== undefined && typeof up !== 'boolean') throw invalid('up must be a boolean');
    ctx.control.addNode(keyParam(p), up === undefined ? {} : { up });
    return {};
  },
  inject_fault: (p, ctx) => {
    const { endpoint, ...fault } = objectParams(p);
    return ctx.control.injectFault(fault, endpointParam(endpoint));
  },
  remove_fault: (p, ctx) => {
    const id = objectParams(p).id;
    if (typeof id !== 'number') throw invalid('id must be a number');
    return { removed: ctx.control.removeFault(id) };
  },
  clear_faults: (p, ctx) => {
    ctx.control.clearFaults(endpointParam(objectParams(p).endpoint));
    return {};
  },
  get_state: (p, ctx) => {
    objectParams(p);
    return ctx.control.state();
  },
};

/** hived's `jsonrpc` plugin: `get_methods` lists every method served, as `api.method` strings, sorted. */
const jsonrpc: Record<string, Method> = {
  get_methods: (p) => {
    objectParams(p);
    return methodNames()
      .filter((name) => !name.startsWith('simnet_api.'))
      .sort();
  },
};

const apis: Record<string, Record<string, Method>> = {
  jsonrpc,
  condenser_api: condenser,
  database_api: database,
  block_api: blockApi,
  account_history_api: accountHistory,
  network_broadcast_api: networkBroadcast,
  simnet_api: simnet,
};

/** Names of every method served, `api.method`. */
export function methodNames(): string[] {
  return Object.entries(apis).flatMap(([api, methods]) => Object.keys(methods).map((m) => `${api}.${m}`));
}

/**
 * Runs one call: `api.method` with params, or hived's legacy form `call` with `[api, method, args]`.
 * Throws `RpcFailure` (-32601/-32602) or `HiveError`.
 */
export async function invoke(method: string, params: unknown, ctx: MethodContext): Promise<unknown> {
  if (method === 'call') {
    if (
      !Array.isArray(params) ||
      params.length < 2 ||
      params.length > 3 ||
      typeof params[0] !== 'string' ||
      typeof params[1] !== 'string'
    )
      throw invalid('call takes [api, method, args]');
    return invoke(`${params[0]}.${params[1]}`, params[2] ?? [], ctx);
  }
  const dot = method.indexOf('.');
  const api = dot > 0 ? apis[method.slice(0, dot)] : undefined;
  const name = method.slice(dot + 1);
  const handler = api && Object.hasOwn(api, name) ? api[name] : undefined;
  if (!handler) throw new RpcFailure(RPC_METHOD_NOT_FOUND, `Could not find method ${method}`);
  if (api !== simnet) return handler(params, ctx);
  try {
    return await handler(params, ctx);
  } catch (error) {
    // a control request that names no node, no endpoint or no valid fault is a bad parameter, not a server failure
    if (error instanceof RpcFailure) throw error;
    throw invalid(error instanceof Error ? error.message : String(error));
  }
}
