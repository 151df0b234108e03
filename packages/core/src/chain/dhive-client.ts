import { performance } from 'node:perf_hooks';
import { linkSignals } from '../abort.js';
import { systemClock } from '../clock.js';
import {
  BroadcastRejectedError,
  ConfigError,
  DisagreementError,
  RpcError,
  StaleDataError,
  TimeoutError,
  WitnessTrapError,
} from '../errors.js';
import { transactionId } from '../tx/transaction.js';
import {
  type AccountAuthorities,
  type BlockHeaderInfo,
  type BroadcastOptions,
  type BroadcastResult,
  type ChainClient,
  type Clock,
  type HeadState,
  HIVE_BLOCK_INTERVAL_MS,
  type Logger,
  MAINNET_CHAIN_ID,
  type NodeStatus,
  type Observation,
  type ReadOptions,
  type SignedTransaction,
  type WitnessSchedule,
  type WitnessState,
} from '../types.js';
import { abortError, JsonRpcTransport, type RpcEndpoint, rpcEndpoint } from './json-rpc.js';
import { isNodeFault } from './node-fault.js';
import { type FreshnessBounds, NodeHealth, rankNodes } from './node-health.js';
import {
  MalformedAnswerError,
  parseAccount,
  parseBlockHeader,
  parseBlockInterval,
  parseHead,
  parseSchedule,
  parseWitness,
} from './parse.js';
import { judge, nodeAvailability, quorumHead, quorumOf, type Tally, type Verdict } from './quorum.js';

/** Options for {@link dhiveChainClient}. */
export interface DhiveChainClientOptions {
  /** RPC node URLs (http or https), at least one. Several are used as a set: cross-checked, failed over. */
  nodes: string[];
  /**
   * The chain id transactions are signed for (64 hex characters).
   * @default MAINNET_CHAIN_ID
   */
  chainId?: string;
  /**
   * The public key prefix of the chain.
   * @default 'STM'
   */
  addressPrefix?: string;
  /**
   * Per call and per node, ms: reads, and each node's share of a broadcast.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * The chain's block interval, ms, where it is known in advance (an accelerated simulated chain). Otherwise the
   * interval read by `getBlockInterval()` is used once read, and Hive's 3000 ms until then.
   * @default HIVE_BLOCK_INTERVAL_MS
   */
  blockIntervalMs?: number;
  /**
   * A node whose head block is older than this, whose head has not advanced for this long, or whose head was not
   * read for this long, is stale: it decides nothing.
   * @default 4 block intervals, at least 1 s (12 s on Hive)
   */
  staleAfterMs?: number;
  /**
   * How far this host's clock may be off the chain's. Freshness rests first on elapsed local time (a head must
   * keep advancing), which needs no synchronised clock; the head block's absolute time is only compared with the
   * local clock within this allowance: a head older than `staleAfterMs + maxClockSkewMs`, or further ahead of the
   * local clock than `maxClockSkewMs`, marks the node stale. Keep the host on NTP all the same.
   * @default 60000
   */
  maxClockSkewMs?: number;
  /**
   * The clock freshness is judged on: a manual clock in tests moves it.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * At least this many AVAILABLE nodes must agree before a decisive read answers (besides a strict majority of
   * the available ones). 1 decides on whatever nodes are available, down to one (then "degraded": see
   * `nodeAvailability`); the number of configured nodes keeps the strict rule (every node must be available and
   * agree, so one bad node makes the trap wait). See docs/rpc-nodes.md for the trade-off.
   * @default 1
   */
  minNodes?: number;
  /** Where node failovers and availability changes are logged. */
  log?: Logger;
  /** Called whenever a node turns available or unavailable, with every node's status. */
  onNodesChange?: (nodes: NodeStatus[]) => void;
}

/** The dhive chain client: a {@link ChainClient} with its freshness bounds on show. */
export interface DhiveChainClient extends ChainClient {
  /** The address prefix of the chain. */
  readonly addressPrefix: string;
  /** The stale bound in force now, ms. */
  readonly staleAfterMs: number;
  /** Releases every socket. Calls after it fail with `CLIENT_CLOSED`. */
  close(): Promise<void>;
}

/**
 * The default {@link ChainClient}: hived's JSON-RPC over one or more nodes, with dhive's serialization and
 * crypto (transaction ids) and a transport of its own, because the trap needs what dhive's `Client` does not give:
 * a hard timeout on every call, broadcasts included, with the socket really closed; failover under its own control
 * (dhive retries inside a call with 500 ms first tries and a global health tracker); and abort signals.
 *
 * - Every node's head is tracked: when it last advanced, its age, latency, failures. `nodes()` reports it.
 * - `decisive` reads decide on the AVAILABLE nodes (answering, head advancing, head time near the client's clock):
 *   a strict majority of them must agree, at least `minNodes` (default 1); an available node that contradicts the
 *   value makes the read wait (a retryable `DisagreementError`), too few a retryable `StaleDataError` (one warning
 *   in the log until a quorum agrees again). Unavailable nodes (down, erroring, timing out, stale, frozen) never
 *   block a decision and never count for one: they are probed again at a bounded rate (per block, or per backoff
 *   when failing) and count again once they answer well. Fewer than a majority of the configured nodes available
 *   is DEGRADED: said once per change in a warning naming each unavailable node and since when. A node one block
 *   behind is not lying: the head decided is one node's answer that enough nodes have reached.
 * - Other reads go to the fresh nodes in turn (round-robin) and fail over to the next best.
 * - `broadcast` sends the same signed transaction to every usable node at once (all but those that failed in the
 *   last few blocks, unless that is all of them); "Duplicate transaction check failed" counts as accepted.
 *
 * @throws ConfigError (`CONFIG_NO_NODES`, `CONFIG_INVALID_NODE`, `CONFIG_INVALID_CHAIN_ID`, `CONFIG_INVALID_OPTION`).
 * @example
 * ```ts
 * const chain = dhiveChainClient({ nodes: ['https://api.hive.blog', 'https://api.openhive.network'] });
 * const { value: witness } = await chain.getWitness('alice', { decisive: true });
 * await chain.close();
 * ```
 */
export function dhiveChainClient(options: DhiveChainClientOptions): DhiveChainClient {
  return new DhiveChainClientImpl(options);
}

/** A monitor host off NTP by half a minute must still see fresh nodes as fresh (see `maxClockSkewMs`). */
const DEFAULT_MAX_CLOCK_SKEW_MS = 60_000;

const BROADCAST_METHOD = 'condenser_api.broadcast_transaction';
const HEAD_METHOD = 'condenser_api.get_dynamic_global_properties';

class DhiveChainClientImpl implements DhiveChainClient {
  readonly chainId: string;
  readonly addressPrefix: string;
  readonly #nodes: NodeHealth[];
  readonly #transport = new JsonRpcTransport();
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #onNodesChange: ((nodes: NodeStatus[]) => void) | undefined;
  readonly #options: DhiveChainClientOptions;
  #chainIntervalMs: number | undefined;
  /** A decisive read last ended without a quorum (said once until one agrees again). */
  #waitingForQuorum = false;
  readonly #minNodes: number;
  /** The degraded state last told in the log (fewer than a majority of the configured nodes available). */
  #saidDegraded = '';
  /** Non-decisive reads taken so far: they go to the fresh nodes in turn, so that none carries them all. */
  #turn = 0;
  /** Each node's latest head read, while it may still be in flight: a decisive read waits for it, not asks again. */
  readonly #headReads = new Map<NodeHealth, { at: number; done: Promise<unknown> }>();

  constructor(options: DhiveChainClientOptions) {
    if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
      throw new ConfigError('CONFIG_NO_NODES', 'at least one RPC node URL is needed');
    }
    const problems: string[] = [];
    const endpoints: RpcEndpoint[] = [];
    options.nodes.forEach((text, index) => {
      const endpoint = typeof text === 'string' ? rpcEndpoint(text) : undefined;
      if (endpoint === undefined) problems.push(`RPC node #${index + 1} is not an http(s) URL`);
      else if (!endpoints.some((e) => e.url.href === endpoint.url.href)) endpoints.push(endpoint);
    });
    if (problems.length > 0) throw new ConfigError('CONFIG_INVALID_NODE', problems.join('; '), { problems });
    const chainId = options.chainId ?? MAINNET_CHAIN_ID;
    if (!/^[0-9a-f]{64}$/i.test(chainId)) {
      throw new ConfigError('CONFIG_INVALID_CHAIN_ID', 'the chain id must be 64 hex characters');
    }
    for (const name of ['timeoutMs', 'blockIntervalMs', 'staleAfterMs', 'maxClockSkewMs'] as const) {
      const value = options[name];
      if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
        throw new ConfigError('CONFIG_INVALID_OPTION', `${name} must be a positive number of milliseconds`);
      }
    }
    const minNodes = options.minNodes ?? 1;
    if (!Number.isInteger(minNodes) || minNodes < 1 || minNodes > endpoints.length) {
      throw new ConfigError(
        'CONFIG_INVALID_OPTION',
        `minNodes must be a whole number from 1 to the number of nodes (${endpoints.length}), not ${options.minNodes}`,
      );
    }
    this.#minNodes = minNodes;
    this.chainId = chainId.toLowerCase();
    this.addressPrefix = options.addressPrefix ?? 'STM';
    this.#nodes = endpoints.map((endpoint) => new NodeHealth(endpoint));
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log === undefined ? undefined : quietLogger(options.log);
    this.#onNodesChange = options.onNodesChange;
    this.#options = options;
  }

  get #intervalMs(): number {
    return this.#options.blockIntervalMs ?? this.#chainIntervalMs ?? HIVE_BLOCK_INTERVAL_MS;
  }

  get staleAfterMs(): number {
    // The floor keeps an accelerated chain on the real clock from flapping on an event-loop hiccup.
    return this.#options.staleAfterMs ?? Math.max(4 * this.#intervalMs, 1000);
  }

  get #bounds(): FreshnessBounds {
    return {
      staleAfterMs: this.staleAfterMs,
      maxClockSkewMs: this.#options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    };
  }

  getHead(options: ReadOptions = {}): Promise<Observation<HeadState>> {
    return this.#read(HEAD_METHOD, [], parseHead, options, true);
  }

  getWitness(owner: string, options: ReadOptions = {}): Promise<Observation<WitnessState | null>> {
    return this.#read('condenser_api.get_witness_by_account', [owner], (raw) => parseWitness(raw, owner), options);
  }

  getSchedule(options: ReadOptions = {}): Promise<Observation<WitnessSchedule>> {
    return this.#read('database_api.get_witness_schedule', { include_future: true }, parseSchedule, options);
  }

  getBlockHeader(blockNum: number, options: ReadOptions = {}): Promise<Observation<BlockHeaderInfo | null>> {
    if (!Number.isSafeInteger(blockNum) || blockNum < 1) {
      return Promise.reject(new ConfigError('CONFIG_INVALID_OPTION', `not a block number: ${blockNum}`));
    }
    return this.#read('condenser_api.get_block', [blockNum], (raw) => parseBlockHeader(raw, blockNum), options);
  }

  getAccount(name: string, options: ReadOptions = {}): Promise<Observation<AccountAuthorities | null>> {
    return this.#read('condenser_api.get_accounts', [[name]], (raw) => parseAccount(raw, name), options);
  }

  async getBlockInterval(options: ReadOptions = {}): Promise<number> {
    if (this.#chainIntervalMs !== undefined) return this.#chainIntervalMs;
    const { value } = await this.#read('condenser_api.get_config', [], parseBlockInterval, options);
    this.#chainIntervalMs = value;
    return value;
  }

  async broadcast(tx: SignedTransaction, options: BroadcastOptions = {}): Promise<BroadcastResult> {
    const txId = transactionId(tx);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    // A node that just failed would most likely cost a whole timeout for nothing; where every node did, try them all.
    const now = this.#clock.now();
    const usable = this.#nodes.filter((node) => !node.inBackoff(now, this.#intervalMs, this.#bounds));
    const settled = await Promise.all(
      (usable.length > 0 ? usable : this.#nodes).map(async (node) => {
        try {
          await this.#call(node, BROADCAST_METHOD, [tx], (raw) => raw, { timeoutMs, signal: options.signal });
          return { node: node.name };
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          // The node already has it: exactly what a rebroadcast wants.
          return isDuplicate(failure) ? { node: node.name } : { node: node.name, error: failure };
        }
      }),
    );
    const acceptedBy = settled.filter((s) => s.error === undefined).map((s) => s.node);
    const failures = settled.flatMap((s) => (s.error === undefined ? [] : [{ node: s.node, error: s.error }]));
    if (options.signal?.aborted) throw abortError(options.signal);
    if (acceptedBy.length === 0) {
      const rejection = failures
        .map((f) => f.error)
        .find((e): e is RpcError => e instanceof RpcError && isHivedVerdict(e));
      const why = rejection?.dataName ?? failures[0]?.error.message ?? 'no node';
      throw new BroadcastRejectedError(
        `no node accepted transaction ${txId}: ${why}`,
        { failures, ...(rejection?.dataName === undefined ? {} : { dataName: rejection.dataName }) },
        {
          // A verdict from hived (missing authority, expired, bad TaPoS) repeats; timeouts and outages may not.
          isRetryable: rejection === undefined,
          details: { txId, nodes: failures.map((f) => f.node) },
        },
      );
    }
    this.#log?.info('broadcast accepted', { txId, acceptedBy, failed: failures.map((f) => f.node) });
    return { txId, acceptedBy, failures };
  }

  nodes(): NodeStatus[] {
    return this.#nodes.map((node) =>
      node.status(this.#unavailable(node) ?? (node.head === undefined ? 'no answer yet' : undefined)),
    );
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  /** One read, decisive or not. `isHead` marks the dgp read, whose answers also update the nodes' heads. */
  #read<T>(
    method: string,
    params: unknown,
    parse: (raw: unknown) => T,
    options: ReadOptions,
    isHead = false,
  ): Promise<Observation<T>> {
    return options.decisive === true
      ? this.#decisiveRead(method, params, parse, options.signal, isHead)
      : this.#failoverRead(method, params, parse, options.signal);
  }

  async #failoverRead<T>(
    method: string,
    params: unknown,
    parse: (raw: unknown) => T,
    signal: AbortSignal | undefined,
  ): Promise<Observation<T>> {
    let lastError: WitnessTrapError | undefined;
    for (const node of this.#inTurn(rankNodes(this.#nodes, this.#clock.now(), this.#bounds))) {
      try {
        const value = await this.#call(node, method, params, parse, { timeoutMs: this.#timeoutMs, signal });
        return { value, node: node.name, receivedAt: this.#clock.now() };
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        lastError = error as WitnessTrapError;
        this.#log?.debug('rpc node failed, trying the next', { node: node.name, method, error: lastError.message });
      }
    }
    throw lastError ?? new StaleDataError('no RPC node to ask');
  }

  /**
   * The ranked nodes led by the next fresh node in turn: reads that decide nothing spread over the fresh nodes
   * instead of all landing on the fastest; the failover order after it is the ranking (stale and failing last).
   */
  #inTurn(ranked: NodeHealth[]): NodeHealth[] {
    // In configured order, so that the turn does not follow latencies that change with every call.
    const fresh = this.#nodes.filter((node) => this.#unavailable(node) === undefined);
    if (fresh.length < 2) return ranked;
    const first = fresh[this.#turn++ % fresh.length] as NodeHealth;
    return [first, ...ranked.filter((node) => node !== first)];
  }

  /**
   * Why `node` is unavailable by its last answer (see `NodeHealth.unavailability`), `undefined` where it is
   * available or not asked yet: such a node is awaited by a decisive read (see `#decisiveRead`).
   */
  #unavailable(node: NodeHealth): string | undefined {
    return node.unavailability(this.#bounds, this.#intervalMs, this.#nodes);
  }

  /**
   * Whether an unavailable node may be asked again now: a failing one once its backoff is over (one interval,
   * doubling per failure, up to the stale bound), a stale or frozen one once per block interval. So a node that
   * comes back counts again within a few blocks, and one that stays out costs at most one call per block; never while
   * a call to it is still out (a blackholed node's hangs until its timeout): one call at a time.
   */
  #mayProbe(node: NodeHealth, now: number): boolean {
    // Its last call has not settled (a blackholed node's hangs until its timeout): that answer is awaited, not
    // asked for again at every read.
    if (node.inFlight > 0) return false;
    if (node.failures > 0) return !node.inBackoff(now, this.#intervalMs, this.#bounds);
    return node.askedAt === undefined || now - node.askedAt >= this.#intervalMs;
  }

  /**
   * Asks the nodes in parallel and returns the value a strict majority of the AVAILABLE nodes agrees on (at least
   * `minNodes`; see `judge` in quorum.ts). Available nodes, and those not asked yet, are awaited, each at most for
   * its call's timeout, and only while its answer could still change the outcome; once another node has answered,
   * a node silent for a block interval is left out of the read (recorded as failed, its call cancelled, a warning). Unavailable nodes are probed at a
   * bounded rate (`#mayProbe`) but never awaited: one that answers well before the decision counts (and may
   * contradict), one that does not blocks nothing. Where no node is available, every node that may be probed is
   * awaited; where every node is backing off, the read fails at once (retryable): no node is asked before its
   * backoff ends, so an outage costs each node at most one call per backoff. A node whose head was not read within the last block
   * interval is asked for its head too, in the same breath, so that its availability is judged on now.
   */
  #decisiveRead<T>(
    method: string,
    params: unknown,
    parse: (raw: unknown) => T,
    signal: AbortSignal | undefined,
    isHead: boolean,
  ): Promise<Observation<T>> {
    const now = this.#clock.now();
    const timeoutMs = this.#timeoutMs;
    const call = { timeoutMs, signal };
    const configured = this.#nodes.length;
    const minNodes = this.#minNodes;
    const problems: string[] = [];
    let awaited: NodeHealth[] = [];
    let probes: NodeHealth[] = [];
    for (const node of this.#nodes) {
      const why = this.#unavailable(node);
      if (why === undefined) awaited.push(node);
      else if (this.#mayProbe(node, now)) probes.push(node);
      else problems.push(`${node.name}: ${why} (probed again later)`);
    }
    if (awaited.length === 0) {
      awaited = probes;
      probes = [];
    }
    if (awaited.length === 0) {
      // Every node is unavailable and backing off: asking again now would hammer nodes that are down. The caller
      // retries; the first node's backoff ends within a block interval or so.
      const error = new StaleDataError(
        `waiting for a quorum on ${method}: no RPC node is available, each is probed again after its backoff (${problems.join('; ')})`,
        { details: { method, needed: minNodes, agreeing: 0, available: 0, configured, minNodes, nodes: this.nodes() } },
      );
      this.#quorumShort({ method, needed: minNodes, agreeing: 0, configured }, problems);
      return Promise.reject(error);
    }

    return new Promise((resolve, reject) => {
      const tally: Tally = { groups: new Map(), pending: 0, minNodes };
      const values = new Map<string, T>();
      const heads: HeadState[] = [];
      const headNodes: string[] = [];
      let done = false;
      // Each awaited node's call, cancellable alone: one that has not answered within a block interval while others
      // have is cut off (see `cutLaggards`).
      const inFlight = new Map<NodeHealth, { controller: AbortController; overdue: boolean; timer: NodeJS.Timeout }>();
      const intervalMs = this.#intervalMs;
      /** Each counted node's answer (canonical), and the last one counted: see the re-ask in `decide`. */
      const answerOf = new Map<NodeHealth, string>();
      let lastKey: string | undefined;
      let reasked = false;
      // Calls still out once the read is decided run on to their own timeout: their answers keep the nodes' health
      // (and a head read in flight is reused by the next read, see `ask`).
      const finish = (): void => {
        done = true;
        for (const { timer } of inFlight.values()) clearTimeout(timer);
      };

      /**
       * A node that has not answered within a block interval while another available node has is TIMING OUT in
       * the issue's sense: it is unavailable for this read (recorded as a failure, so it backs off and is probed
       * again later), its call is cancelled, and the read decides on the rest (degraded if so, and said so).
       */
      const cutLaggards = (): void => {
        const overdue = [...inFlight].filter(([, call]) => call.overdue);
        if (overdue.length === 0) return;
        const answered = isHead ? heads.length : [...tally.groups.values()].reduce((n, g) => n + g.length, 0);
        if (answered === 0) return;
        const at = this.#clock.now();
        for (const [node, { controller }] of overdue) {
          inFlight.delete(node);
          tally.pending--;
          const error = new TimeoutError(
            `${node.name} did not answer ${method} within a block interval (${intervalMs} ms) while other nodes did: left out of this read`,
            { isRetryable: true, details: { node: node.name, method } },
          );
          problems.push(`${node.name}: ${error.message}`);
          node.recordFailure(error, at);
          this.#log?.warn('rpc node too slow for a decisive read: deciding on the others', {
            node: node.name,
            method,
            waitedMs: intervalMs,
          });
          controller.abort();
        }
        this.#noticeFreshnessChanges();
      };

      const decide = (): void => {
        if (done) return;
        if (signal?.aborted) {
          finish();
          reject(abortError(signal));
          return;
        }
        cutLaggards();
        let verdict: Verdict;
        if (isHead) {
          // Heads need not be equal: the quorum's head is one node's answer that enough nodes have reached.
          const needed = quorumOf(heads.length + tally.pending, minNodes);
          const head = quorumHead(heads, needed);
          if (head !== undefined) {
            finish();
            this.#quorumRegained(method);
            resolve({ value: head as T, node: headNodes[heads.indexOf(head)] ?? '', receivedAt: this.#clock.now() });
            return;
          }
          verdict =
            tally.pending > 0
              ? { kind: 'wait' }
              : heads.length >= needed
                ? { kind: 'disagree', needed, agreeing: 0 }
                : { kind: 'stale', needed, agreeing: heads.length };
        } else verdict = judge(tally);
        if (verdict.kind === 'wait') return;
        if (verdict.kind === 'disagree' && !isHead && !reasked && lastKey !== undefined) {
          // The answers differ, and the ones that came first may only be older (a block came between them and the
          // last, or a caching proxy answered from an older backend): a node that is BEHIND has not caught up, it
          // does not disagree. Each node whose answer differs from the last one is asked once more; the read agrees
          // only if their answers now do (nothing weaker: every needed node's latest answer must match).
          reasked = true;
          const newest = lastKey;
          const again = [...answerOf].filter(([, key]) => key !== newest).map(([node]) => node);
          for (const node of again) {
            const key = answerOf.get(node) as string;
            const rest = (tally.groups.get(key) ?? []).filter((name) => name !== node.name);
            if (rest.length === 0) tally.groups.delete(key);
            else tally.groups.set(key, rest);
            answerOf.delete(node);
            await_(node);
          }
          return;
        }
        finish();
        if (verdict.kind === 'agreed') {
          const [first] = verdict.nodes;
          this.#quorumRegained(method);
          resolve({ value: values.get(verdict.key) as T, node: first ?? '', receivedAt: this.#clock.now() });
          return;
        }
        const available = isHead ? heads.length : [...tally.groups.values()].reduce((n, g) => n + g.length, 0);
        const quorum = { method, needed: verdict.needed, agreeing: verdict.agreeing, available, configured, minNodes };
        this.#quorumShort(quorum, problems);
        const rule = `${verdict.needed} must agree: a strict majority of the ${available} available of ${configured} configured RPC node${configured === 1 ? '' : 's'}${minNodes > 1 ? `, at least ${minNodes}` : ''}`;
        if (verdict.kind === 'stale') {
          const why = problems.join('; ') || 'none asked';
          reject(
            new StaleDataError(
              `waiting for a quorum on ${method}: ${verdict.agreeing} available node(s) agree, ${rule} (${why})`,
              { details: { ...quorum, nodes: this.nodes() } },
            ),
          );
        } else {
          const answers = isHead
            ? heads.map((h, i) => `${headNodes[i]} #${h.headBlockNumber} aslot ${h.currentAslot}`)
            : [...tally.groups.values()].map((nodes) => nodes.join(', '));
          reject(
            new DisagreementError(
              `available RPC nodes disagree on ${method}: ${answers.map((a) => `[${a}]`).join(' vs ')}; ${rule}`,
              { details: { ...quorum, groups: answers, nodes: this.nodes() } },
            ),
          );
        }
      };

      const recent = (node: NodeHealth): boolean =>
        node.headSeenAt !== undefined && now - node.headSeenAt <= this.#intervalMs;
      const ask = (node: NodeHealth, call: { timeoutMs: number; signal: AbortSignal | undefined }): Promise<T> => {
        if (isHead || (recent(node) && node.failures === 0)) return this.#call(node, method, params, parse, call);
        // A head read of this node started within the interval (the decisive head read just before, which ended
        // on a quorum of the others before this node answered) is waited for rather than asked again.
        const headRead = this.#headReads.get(node);
        const pendingHead = headRead !== undefined && now - headRead.at <= this.#intervalMs ? headRead.done : undefined;
        return Promise.all([
          pendingHead ?? this.#readHead(node, call),
          this.#call(node, method, params, parse, call),
        ]).then(([, value]) => value);
      };
      const count = (node: NodeHealth, value: T): void => {
        const why = this.#unavailable(node);
        if (why !== undefined) {
          problems.push(`${node.name}: ${why}`);
          return;
        }
        const key = canonical(value);
        values.set(key, value);
        tally.groups.set(key, [...(tally.groups.get(key) ?? []), node.name]);
        answerOf.set(node, key);
        lastKey = key;
        if (isHead) {
          heads.push(value as HeadState);
          headNodes.push(node.name);
        }
      };
      // Every awaited node is awaited only while its answer could still change the outcome: once a majority of
      // the available nodes agrees, a hanging node holds nothing up; otherwise the wait is its call's timeout.
      function await_(node: NodeHealth): void {
        tally.pending++;
        const controller = new AbortController();
        // Each call its own interval (a node asked again, see the re-ask in `decide`, starts afresh).
        const timer = setTimeout(() => {
          const call = inFlight.get(node);
          if (call === undefined) return;
          call.overdue = true;
          decide();
        }, intervalMs);
        timer.unref?.();
        inFlight.set(node, { controller, overdue: false, timer });
        const settled = (): boolean => {
          clearTimeout(timer);
          return inFlight.delete(node);
        };
        // Unlinked from the caller's signal (often the run's, as long-lived as the daemon) once the call settles.
        const link = linkSignals([controller.signal, signal]);
        const own = { timeoutMs: timeoutMs, signal: link.signal };
        ask(node, own).then(
          (value) => {
            link.dispose();
            if (!settled()) return;
            if (!done) count(node, value);
            tally.pending--;
            decide();
          },
          (error: Error) => {
            link.dispose();
            if (!settled()) return;
            problems.push(`${node.name}: ${error.message}`);
            tally.pending--;
            decide();
          },
        );
      }
      for (const node of awaited) await_(node);
      // Probes are never awaited: their outcome updates the node's health either way.
      for (const node of probes) {
        ask(node, call).then(
          (value) => {
            if (done) return;
            count(node, value);
            decide();
          },
          () => undefined,
        );
      }
      decide();
    });
  }

  /** Says once, as a warning, that decisive reads wait for a quorum (not once per try: a long wait is one line). */
  #quorumShort(quorum: { method: string; needed: number; agreeing: number; configured: number }, why: string[]): void {
    if (this.#waitingForQuorum) return;
    this.#waitingForQuorum = true;
    this.#log?.warn('decisive reads wait for a quorum of available RPC nodes: nothing is decided until then', {
      ...quorum,
      why: why.join('; '),
    });
  }

  #quorumRegained(method: string): void {
    if (!this.#waitingForQuorum) return;
    this.#waitingForQuorum = false;
    this.#log?.info('a quorum of available RPC nodes agrees again', { method });
  }

  #readHead(node: NodeHealth, call: { timeoutMs: number; signal: AbortSignal | undefined }): Promise<HeadState> {
    return this.#call(node, HEAD_METHOD, [], parseHead, call);
  }

  /** One call to one node: timed, its outcome recorded in the node's health, every failure typed. */
  #call<T>(
    node: NodeHealth,
    method: string,
    params: unknown,
    parse: (raw: unknown) => T,
    options: { timeoutMs: number; signal: AbortSignal | undefined },
  ): Promise<T> {
    node.askedAt = this.#clock.now();
    node.inFlight++;
    const settled = this.#callAndRecord(node, method, params, parse, options);
    const out = (): void => {
      node.inFlight--;
    };
    settled.then(out, out);
    if (method === HEAD_METHOD) {
      this.#headReads.set(node, { at: this.#clock.now(), done: settled.catch(() => undefined) });
    }
    return settled;
  }

  async #callAndRecord<T>(
    node: NodeHealth,
    method: string,
    params: unknown,
    parse: (raw: unknown) => T,
    options: { timeoutMs: number; signal: AbortSignal | undefined },
  ): Promise<T> {
    const started = performance.now();
    try {
      const raw = await this.#transport.call(node.endpoint, method, params, options);
      let value: T;
      try {
        value = parse(raw);
      } catch (error) {
        const field = error instanceof MalformedAnswerError ? error.field : 'unknown';
        throw new RpcError(
          `${method} on ${node.name}: malformed answer (${field})`,
          { node: node.name, method },
          { code: 'RPC_BAD_ANSWER', isRetryable: true, cause: error },
        );
      }
      node.recordSuccess(performance.now() - started);
      if (method === HEAD_METHOD) node.recordHead(value as HeadState, this.#clock.now());
      this.#noticeFreshnessChanges();
      return value;
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const typed =
        error instanceof WitnessTrapError ? error : new RpcError(String(error), { node: node.name, method });
      if (method === BROADCAST_METHOD && isHivedVerdict(typed) && !isNodeFault(typed)) {
        // hived judged the transaction: the node itself works.
        node.recordSuccess(performance.now() - started);
      } else {
        node.recordFailure(typed, this.#clock.now());
        if (typed instanceof TimeoutError || typed.code === 'RPC_UNREACHABLE') {
          this.#log?.warn('rpc node not answering', { node: node.name, method, error: typed.message });
        }
      }
      this.#noticeFreshnessChanges();
      throw typed;
    }
  }

  /**
   * Notices nodes turning available or unavailable: each change is logged once (a warning naming the node and why,
   * or an info line when it is back), the listener is told, and where fewer than a majority of the configured
   * nodes are available (degraded) one warning names every unavailable node and since when.
   */
  #noticeFreshnessChanges(): void {
    const now = this.#clock.now();
    let changed = false;
    for (const node of this.#nodes) {
      const why = this.#unavailable(node);
      const available = why === undefined;
      // A node not asked yet is neither: it turns one way or the other at its first answer.
      if (node.head === undefined && node.failures === 0) continue;
      node.unavailableReason = why;
      if (available === node.wasAvailable && (available || node.unavailableSince !== undefined)) continue;
      changed = true;
      node.wasAvailable = available;
      if (available) {
        node.unavailableSince = undefined;
        this.#log?.info('rpc node available', { node: node.name });
      } else {
        node.unavailableSince = now;
        this.#log?.warn('rpc node unavailable: it decides nothing and holds nothing up until it answers well', {
          node: node.name,
          why,
        });
      }
    }
    if (!changed) return;
    this.#sayDegraded(now);
    if (this.#onNodesChange === undefined) return;
    try {
      this.#onNodesChange(this.nodes());
    } catch (error) {
      // A listener's bug must not count against a node, nor fail the read that noticed the change.
      this.#log?.error('onNodesChange listener threw', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** One warning per change of the degraded set (not per read), and one info line when it ends. */
  #sayDegraded(now: number): void {
    const nodes = this.nodes();
    const { available, configured, degraded } = nodeAvailability(nodes);
    const down = nodes.filter((node) => !node.available && node.unavailableSince !== undefined);
    const said = degraded ? down.map((node) => node.url).join(',') : '';
    if (said === this.#saidDegraded) return;
    const was = this.#saidDegraded;
    this.#saidDegraded = said;
    if (!degraded) {
      if (was !== '') this.#log?.info('rpc nodes no longer degraded', { available, configured });
      return;
    }
    const unavailable = down.map(
      (node) =>
        `${node.url} unavailable since ${new Date(node.unavailableSince ?? now).toISOString()} (${node.unavailableReason ?? 'unknown'})`,
    );
    this.#log?.warn(
      `DEGRADED: ${available} of ${configured} RPC nodes available, fewer than a majority: deciding on the available ones, a miss must hold on two reads a block apart`,
      { available, configured, minNodes: this.#minNodes, unavailable },
    );
  }
}

/** The caller's logger, minus its exceptions: a failing log line must not fail a read or a broadcast. */
function quietLogger(log: Logger): Logger {
  const quiet =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      try {
        log[level](message, fields);
      } catch {
        // nowhere left to report it
      }
    };
  return { debug: quiet('debug'), info: quiet('info'), warn: quiet('warn'), error: quiet('error') };
}

/** An answer to a broadcast that is hived's verdict on the transaction, not a failure of the node. */
function isHivedVerdict(error: WitnessTrapError): boolean {
  return error instanceof RpcError && error.dataName !== undefined && !isNodeFault(error);
}

/** hived's answer to a transaction it already has. */
function isDuplicate(error: Error): boolean {
  if (!(error instanceof RpcError)) return false;
  const text = `${error.message} ${JSON.stringify(error.details)}`;
  return /duplicate transaction check failed/i.test(text) || error.dataName === 'duplicate_transaction';
}

/** A stable text form of a parsed value, so that equal answers group together whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
