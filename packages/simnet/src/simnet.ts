import { createHash } from 'node:crypto';
import { Chain } from './chain.js';
import type { BlockRecord } from './chain-data.js';
import { createRealClock, ManualClock, type SimnetClock } from './clock.js';
import { Endpoint, type EndpointShared } from './endpoint.js';
import { type Fault, parseFault } from './faults.js';
import { formatHiveTime } from './hive-time.js';
import { realismOf } from './realism.js';
import { buildRoster } from './roster.js';
import type { BroadcastRecord, SimnetControl } from './rpc/methods.js';
import type { ShapeContext } from './rpc/shapes.js';
import { stepUntil } from './step-until.js';
import type { ChainView, FaultHandle, RpcCallStats, Simnet, SimnetOptions, SimnetWitness, SlotView } from './types.js';
import { waxFor } from './wax.js';
import { WitnessNode } from './witness-node.js';
import { NULL_KEY } from './witness-props.js';
import { witnessSeeds } from './witness-seeds.js';

/** The simnet's default chain id: sha256 of `witness-trap simnet`, so nothing signed for it is valid on Hive. */
export const SIMNET_CHAIN_ID = createHash('sha256').update('witness-trap simnet').digest('hex');
/** Hive mainnet's chain id, which the simnet refuses. */
const MAINNET_CHAIN_ID = `beeab0de${'0'.repeat(56)}`;
/** Where the manual clock starts by default. */
export const DEFAULT_MANUAL_START = Date.UTC(2026, 10, 25, 16, 0, 0);

/** Thrown for options that cannot make a simnet. */
export class SimnetOptionsError extends Error {
  override readonly name = 'SimnetOptionsError';
}

function seedMixOf(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32LE(0);
}

/**
 * Starts a simulated Hive chain: hived's JSON-RPC on loopback, the 21-witness schedule, witness nodes that can be
 * stopped and started, broadcasts validated by wax, and faults on demand.
 *
 * @example
 * ```ts
 * const sim = await startSimnet({ clock: 'manual' });
 * const demo = sim.witnesses[0];
 * sim.stopNode(demo.signingKey);
 * await sim.advanceSlots(42);
 * console.log(sim.chain.witness(demo.name)?.total_missed); // 1 or 2: its slots in two rounds
 * await sim.stop();
 * ```
 */
export async function startSimnet(options: SimnetOptions = {}): Promise<Simnet> {
  const { names, seeds } = witnessSeeds(options.witnesses, (reason) => new SimnetOptionsError(reason));
  const blockIntervalMs = options.blockIntervalMs ?? 3000;
  if (!Number.isInteger(blockIntervalMs) || blockIntervalMs < 10 || blockIntervalMs > 600_000)
    throw new SimnetOptionsError('blockIntervalMs must be an integer from 10 to 600000');
  const chainId = (options.chainId ?? SIMNET_CHAIN_ID).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(chainId)) throw new SimnetOptionsError('chainId must be 64 hex characters');
  if (chainId === MAINNET_CHAIN_ID) throw new SimnetOptionsError("the simnet refuses Hive mainnet's chain id");
  const endpointCount = options.endpoints ?? 1;
  if (!Number.isInteger(endpointCount) || endpointCount < 1 || endpointCount > 64)
    throw new SimnetOptionsError('endpoints must be from 1 to 64');
  const backupKeys = options.backupKeys ?? 1;
  if (!Number.isInteger(backupKeys) || backupKeys < 0 || backupKeys > 100)
    throw new SimnetOptionsError('backupKeys must be from 0 to 100');
  const realism = realismOf(options, blockIntervalMs, (reason) => new SimnetOptionsError(reason));
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const seed = options.seed ?? 'simnet';
  const seedMix = seedMixOf(seed);
  const manual = options.clock === 'manual';
  const clock: SimnetClock = manual
    ? new ManualClock(options.startTime ?? DEFAULT_MANUAL_START, options.settle)
    : createRealClock();

  const roster = buildRoster(names, seed, backupKeys, seeds);
  const wax = await waxFor(chainId);
  const nodes = new Map<string, WitnessNode>();
  const canProduce = (key: string) => nodes.get(key)?.up === true;
  const chain = new Chain({
    roster,
    blockIntervalMs,
    chainId,
    seedMix,
    startTime: manual ? clock.now() : Date.now(),
    wax,
    canProduce,
    propagationDelayMs: realism.propagationDelayMs,
    microForkRate: realism.microForkRate,
    endpoints: endpointCount,
    keepStates: realism.proxy ? (realism.proxy.backends - 1) * realism.proxy.backendLagBlocks : 0,
  });
  const shape: ShapeContext = { chainId, blockIntervalMs, timeString: (ms) => chain.timeString(ms) };
  const broadcasts: BroadcastRecord[] = [];
  const activity = { inFlight: 0, count: 0 };
  const endpoints: Endpoint[] = [];
  const faultHandles = new Map<number, { endpoint: number }>();
  let nextFaultId = 1;
  const health = options.healthEndpoints ?? true;

  const nodeOf = (key: string): WitnessNode => {
    const node = nodes.get(key);
    if (!node) throw new SimnetOptionsError(`no node holds the key ${key}`);
    return node;
  };
  const endpointOf = (index: number | undefined): Endpoint => {
    const endpoint = endpoints[index ?? 0];
    if (!endpoint) throw new SimnetOptionsError(`no endpoint ${index}`);
    return endpoint;
  };
  const addNode = async (key: string, up: boolean): Promise<void> => {
    const existing = nodes.get(key);
    if (existing) {
      await (up ? existing.start() : existing.stop(realism.deadNodes));
      return;
    }
    const node = new WitnessNode(key, up, health ? { host } : undefined, () => chain.data, shape);
    nodes.set(key, node);
    await node.init();
  };
  const injectFault = async (fault: Fault, endpoint: number | undefined): Promise<FaultHandle> => {
    const parsed = parseFault(fault);
    const target = endpointOf(endpoint);
    const id = nextFaultId++;
    await target.addFault({ id, fault: parsed });
    faultHandles.set(id, { endpoint: target.index });
    return {
      id,
      endpoint: target.index,
      fault: parsed,
      remove: async () => {
        faultHandles.delete(id);
        await target.removeFault(id);
      },
    };
  };

  const state = (): Record<string, unknown> => ({
    url: endpoints[0]?.url,
    urls: endpoints.map((e) => e.url),
    chainId,
    blockInterval: blockIntervalMs,
    clock: clock.mode,
    time: formatHiveTime(clock.now(), blockIntervalMs % 1000 !== 0),
    head_block_number: chain.data.globals.headBlockNumber,
    nodes: [...nodes.values()].map((n) => ({ key: n.key, up: n.up, healthUrl: n.healthUrl ?? null })),
    faults: endpoints.flatMap((e) => e.faults().map((f) => ({ id: f.id, endpoint: e.index, ...f.fault }))),
    pending: chain.pending().map((p) => p.id),
    realism,
    forks: chain.forks.map((f) => ({
      orphaned: f.orphaned.num,
      orphanedId: f.orphaned.id,
      replacedBy: f.replacedBy.id,
    })),
  });

  // simnet_api answers before a slow operation (a port closing) completes; errors there are the caller's to see
  // in get_state, never a crash of the server.
  const background = (work: Promise<unknown>) => {
    work.catch(() => undefined);
  };
  const control: SimnetControl = {
    stopNode: (key, mode) => background(nodeOf(key).stop(mode ?? realism.deadNodes)),
    orphanNextHead: () => chain.orphanNextHead(),
    startNode: (key) => background(nodeOf(key).start()),
    addNode: (key, opts) => background(addNode(key, opts.up ?? true)),
    injectFault: (fault, endpoint) => {
      const parsed = parseFault(fault);
      endpointOf(endpoint);
      const id = nextFaultId;
      background(injectFault(parsed, endpoint));
      return { id };
    },
    removeFault: (id) => {
      const where = faultHandles.get(id);
      if (!where) return false;
      faultHandles.delete(id);
      background(endpointOf(where.endpoint).removeFault(id));
      return true;
    },
    clearFaults: (endpoint) => {
      for (const e of endpoint === undefined ? endpoints : [endpointOf(endpoint)]) background(e.clearFaults());
    },
    state,
  };

  let calls: RpcCallStats = { total: 0, byMethod: {}, byEndpoint: Array.from({ length: endpointCount }, () => 0) };
  const shared: EndpointShared = {
    chain,
    shape,
    now: () => clock.now(),
    record: (record) => {
      broadcasts.push(record);
      if (broadcasts.length > 10_000) broadcasts.shift();
    },
    control,
    activity,
    seedMix,
    readsIncludePending: realism.readsIncludePending,
    proxy: realism.proxy,
    countCall: (endpoint, method) => {
      calls.total++;
      calls.byMethod[method] = (calls.byMethod[method] ?? 0) + 1;
      calls.byEndpoint[endpoint] = (calls.byEndpoint[endpoint] ?? 0) + 1;
    },
  };

  for (const entry of roster) {
    // A seeded key is held as a public key only: enough for a simulated node, whose blocks carry no signature.
    if (entry.signing.publicKey !== NULL_KEY) await addNode(entry.signing.publicKey, true);
    for (const backup of entry.backups) await addNode(backup.publicKey, true);
  }
  try {
    for (let i = 0; i < endpointCount; i++) {
      const endpoint = new Endpoint(i, host, port === 0 ? 0 : port + i, shared);
      endpoints.push(endpoint);
      await endpoint.start();
    }
  } catch (error) {
    await Promise.all([...endpoints.map((e) => e.stop()), ...[...nodes.values()].map((n) => n.stop())]);
    throw error;
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (clock instanceof ManualClock) {
    clock.schedule({
      nextDue: () => (stopped ? undefined : chain.nextSlotTime()),
      run: (t) => void chain.produceSlot(t),
    });
    clock.setActivityProbe({ inFlight: () => activity.inFlight, activity: () => activity.count });
  } else {
    const tick = () => {
      if (stopped) return;
      chain.produceUntil(Date.now());
      timer = setTimeout(tick, Math.max(1, chain.nextSlotTime() - Date.now()));
    };
    timer = setTimeout(tick, Math.max(1, chain.nextSlotTime() - Date.now()));
  }

  const witnesses: SimnetWitness[] = roster.map((entry) => ({
    name: entry.name,
    signingKey: entry.signing.publicKey,
    privateKey: entry.signing.privateKey,
    activeKey: entry.active.privateKey,
    activePublicKey: entry.active.publicKey,
    backupKeys: entry.backups.map((b) => ({ ...b })),
  }));

  const view: ChainView = {
    head: () => {
      const g = chain.data.globals;
      return {
        number: g.headBlockNumber,
        id: g.headBlockId,
        time: g.time,
        aslot: g.currentAslot,
        witness: g.currentWitness,
        lastIrreversibleBlockNum: g.lastIrreversibleBlockNum,
        participationCount: g.participationCount,
      };
    },
    witness: (name) => {
      const w = chain.data.witnesses.get(name);
      return w ? structuredClone(w) : undefined;
    },
    schedule: () => ({
      current: [...chain.data.schedule.current],
      future: [...chain.data.schedule.future],
      nextShuffleBlockNum: chain.data.schedule.nextShuffleBlockNum,
    }),
    block: (num) => {
      const b = chain.blockIn(chain.data, num);
      return b ? structuredClone(b) : undefined;
    },
    blocks: (from = 1) => chain.data.blocks.filter((b) => b.num >= from).map((b) => structuredClone(b)),
    // from the blocks: hived's id index (data.transactions) forgets a transaction once it expires
    transactions: () => chain.data.blocks.flatMap((b) => b.transactions).map((t) => structuredClone(t)),
    pending: () => chain.pending().map((p) => structuredClone(p)),
    broadcasts: () => broadcasts.map((b) => structuredClone(b)),
    missedSlots: (witness) =>
      chain.data.missed.filter((m) => witness === undefined || m.witness === witness).map((m) => ({ ...m })),
    keySwitches: (owner) =>
      chain.data.blocks
        .flatMap((b) => b.transactions)
        .filter((t) =>
          t.operations.some(
            ([name, body]) =>
              (name === 'witness_set_properties' || name === 'witness_update') &&
              (body as { owner?: unknown }).owner === owner,
          ),
        )
        .map((t) => structuredClone(t)),
    nextSlot: (name) => nextSlotOf(chain, name),
    forks: () => chain.forks.map((f) => structuredClone(f)),
  };

  const sim: Simnet = {
    url: endpoints[0]?.url as string,
    urls: endpoints.map((e) => e.url),
    chainId,
    blockIntervalMs,
    witnesses,
    clock,
    chain: view,
    stopNode: async (key, opts = {}) => {
      const mode = opts.mode ?? realism.deadNodes;
      if (mode !== 'blackhole' && mode !== 'refuse')
        throw new SimnetOptionsError("mode must be 'blackhole' or 'refuse'");
      await nodeOf(key).stop(mode);
    },
    orphanNextHead: () => chain.orphanNextHead(),
    startNode: async (key) => nodeOf(key).start(),
    addNode: (key, opts = {}) => addNode(key, opts.up ?? true),
    nodeHealthUrl: (key) => {
      const url = nodeOf(key).healthUrl;
      if (!url) throw new SimnetOptionsError('health endpoints are off (healthEndpoints: false)');
      return url;
    },
    injectFault: (fault, target = {}) => injectFault(fault, target.endpoint),
    clearFaults: async (endpoint) => {
      for (const [id, where] of faultHandles)
        if (endpoint === undefined || where.endpoint === endpoint) faultHandles.delete(id);
      await Promise.all((endpoint === undefined ? endpoints : [endpointOf(endpoint)]).map((e) => e.clearFaults()));
    },
    advanceSlots: (n) => clock.advance(n * blockIntervalMs),
    stepUntil: (done, maxSlots) => stepUntil(clock, blockIntervalMs, done, maxSlots),
    waitForBlock: (num, opts = {}) => waitForBlock(chain, num, opts.timeoutMs ?? 30_000),
    onBlock: (listener) => chain.onBlock(listener),
    rpcCalls: () => structuredClone(calls),
    resetRpcCalls: () => {
      calls = { total: 0, byMethod: {}, byEndpoint: calls.byEndpoint.map(() => 0) };
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...endpoints.map((e) => e.stop()), ...[...nodes.values()].map((n) => n.listener?.close())]);
    },
  };
  return sim;
}

function waitForBlock(chain: Chain, num: number, timeoutMs: number): Promise<BlockRecord> {
  const existing = chain.blockIn(chain.data, num);
  if (existing || chain.data.globals.headBlockNumber >= num) {
    const head = chain.blockIn(chain.data, chain.data.globals.headBlockNumber) as BlockRecord;
    return Promise.resolve(structuredClone(existing ?? head));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`block ${num} not reached within ${timeoutMs} ms (head ${chain.data.globals.headBlockNumber})`));
    }, timeoutMs);
    const off = chain.onBlock((block) => {
      if (block.num >= num) {
        clearTimeout(timer);
        off();
        resolve(structuredClone(block));
      }
    });
  });
}

function nextSlotOf(chain: Chain, name: string): SlotView | undefined {
  const data = chain.data;
  const g = data.globals;
  const interval = chain.blockIntervalMs;
  const headSlotTime = Math.floor(g.time / interval) * interval;
  // Projection: assume every slot from here is produced, so block numbers advance one per slot.
  for (let k = 1; k <= 2 * 21 + 21; k++) {
    const aslot = g.currentAslot + k;
    const blockNum = g.headBlockNumber + k;
    const lastOfRound = data.schedule.nextShuffleBlockNum;
    const order = blockNum <= lastOfRound ? data.schedule.current : data.schedule.future;
    if (blockNum > lastOfRound + 21) break;
    if (order.length > 0 && order[aslot % order.length] === name) return { aslot, time: headSlotTime + k * interval };
  }
  return undefined;
}
