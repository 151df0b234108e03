/**
 * RPC load during a read outage (issue 19): how hard witness-trap leans on its nodes while one of them, or all, fail
 * every read, erroring ("Unable to acquire database lock"), blackholed (the connection accepted, never answered) or
 * frozen (answering from a stale snapshot).
 * A watcher that retries without a bound would hammer a node that is already struggling, and every other watcher on
 * it; the target is at most 3 calls per block on any one node. On the real clock at Hive's 3 s blocks, so that the
 * client's real-time timeouts (5 s: more than a block) and its backoffs (in blocks) meet as they do on Hive; counted
 * at the bench's counting proxy in front of each node, from the moment the outage starts (its onset included).
 */
import { type Fault, startSimnet, TIDY_CHAIN } from '@witness-trap/simnet';
import { startCountingProxy } from './rpc-counter.js';
import { startWatcher } from './rpc-load.js';

/** Which nodes fail, and how. */
export interface OutageCase {
  /** RPC nodes the watcher is given. */
  nodes: number;
  /** `one`: the first node fails; `all`: every node does. */
  failing: 'one' | 'all';
  /**
   * `erroring`: every call answered with hived's "Unable to acquire database lock"; `blackholed`: never answered;
   * `frozen`: answers from a snapshot taken at the onset (a stale head that never moves).
   */
  fault: 'erroring' | 'blackholed' | 'frozen';
}

/** Calls per block during the outage. */
export interface OutageLoad extends OutageCase {
  /** Blocks the chain made while counting. */
  blocks: number;
  /** The chain's block interval, ms. */
  blockIntervalMs: number;
  /** Calls per block on each node over the whole outage (mean), in the order of the nodes. */
  perBlockByNode: number[];
  /** The busiest node's mean calls per block. */
  perBlockBusiestNode: number;
  /**
   * The most calls any one node got within one block interval (between two blocks) during the outage: the figure
   * judged, since a watcher that is quiet between its slots and storms around them has a low mean.
   */
  peakPerBlockPerNode: number;
  /** Calls per block by method, summed over nodes. */
  perBlockByMethod: Record<string, number>;
}

/** Options of {@link measureOutageLoad}. */
export interface OutageLoadOptions extends OutageCase {
  /**
   * Blocks counted after the outage starts. At least 42: two slots of the witness can lie 41 blocks apart (first in
   * one round, last in the next), and the watcher is quiet between them. @default 42
   */
  blocks?: number;
  /** Blocks run healthy before the outage. @default 7 */
  settleBlocks?: number;
  /** @default 3000 */
  blockIntervalMs?: number;
  seed?: string;
}

const FAULTS: Record<OutageCase['fault'], Fault> = {
  erroring: { kind: 'error-rate', rate: 1, response: 'rpc-server' },
  blackholed: { kind: 'blackhole' },
  frozen: { kind: 'frozen-head' },
};

/**
 * Runs witness-trap on a chain where its witness produces every slot, starts the outage, and counts its calls per
 * block on each node. The chain is tidy otherwise (as for the steady load) so that only the outage shows.
 */
export async function measureOutageLoad(options: OutageLoadOptions): Promise<OutageLoad> {
  const interval = options.blockIntervalMs ?? 3000;
  const blocks = options.blocks ?? 42;
  const sim = await startSimnet({
    ...TIDY_CHAIN,
    blockIntervalMs: interval,
    seed: options.seed ?? 'outage-load',
    endpoints: options.nodes,
    backupKeys: 1,
    healthEndpoints: false,
  });
  const proxies = await Promise.all(sim.urls.map((url) => startCountingProxy(url)));
  try {
    const watcher = startWatcher('witness-trap', sim, proxies);
    await sleep((options.settleBlocks ?? 7) * interval);
    const failing = options.failing === 'all' ? sim.urls.map((_, i) => i) : [0];
    for (const proxy of proxies) proxy.reset();
    const from = sim.chain.head().number;
    // The calls each node got so far, at each block: the differences are the calls per block interval.
    const marks: number[][] = [proxies.map((p) => p.total())];
    const off = sim.onBlock(() => marks.push(proxies.map((p) => p.total())));
    await Promise.all(failing.map((endpoint) => sim.injectFault(FAULTS[options.fault], { endpoint })));
    await sleep(blocks * interval);
    off();
    const made = sim.chain.head().number - from;
    const counts = proxies.map((p) => p.counts());
    const stopped = await watcher.stop();
    // A watcher that died is not a quiet one: its figure would be a false pass.
    if (stopped.error !== undefined) throw new Error(`witness-trap stopped during the outage: ${stopped.error}`);
    let peak = 0;
    for (let i = 1; i < marks.length; i++) {
      (marks[i] ?? []).forEach((total, node) => {
        peak = Math.max(peak, total - (marks[i - 1]?.[node] ?? 0));
      });
    }
    const byMethod = new Map<string, number>();
    for (const map of counts) for (const [method, k] of map) byMethod.set(method, (byMethod.get(method) ?? 0) + k);
    const perBlockByNode = counts.map((map) => [...map.values()].reduce((a, b) => a + b, 0) / made);
    return {
      nodes: options.nodes,
      failing: options.failing,
      fault: options.fault,
      blocks: made,
      blockIntervalMs: interval,
      perBlockByNode,
      perBlockBusiestNode: Math.max(...perBlockByNode),
      peakPerBlockPerNode: peak,
      perBlockByMethod: Object.fromEntries([...byMethod].map(([method, k]) => [method, k / made])),
    };
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await sim.stop();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
