import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Chain } from './chain.js';
import { type ChainData, snapshotChainData } from './chain-data.js';
import { type Fault, faultApplies, seededRandom } from './faults.js';
import { parseHiveTime } from './hive-time.js';
import { HttpListener, readBody } from './http-listener.js';
import {
  failure,
  frameOf,
  idOf,
  parseBody,
  RPC_INVALID_REQUEST,
  RpcFailure,
  type RpcResponse,
  success,
} from './rpc/json-rpc.js';
import { type BroadcastRecord, invoke, type MethodContext, type SimnetControl } from './rpc/methods.js';
import type { ShapeContext } from './rpc/shapes.js';
import { NULL_KEY } from './witness-props.js';

/** The largest request body accepted (hived's own limit is of this order). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Calls in one batch. */
const MAX_BATCH = 100;

/** A fault active on an endpoint. */
export interface ActiveFault {
  id: number;
  fault: Fault;
}

/** What every endpoint shares. */
export interface EndpointShared {
  chain: Chain;
  shape: ShapeContext;
  now: () => number;
  record: (record: BroadcastRecord) => void;
  control: SimnetControl;
  /** Counts requests for the manual clock's settle. */
  activity: { inFlight: number; count: number };
  /** Counts each JSON-RPC call (after framing), by endpoint and method. */
  countCall: (endpoint: number, method: string) => void;
  seedMix: number;
  /** Witness reads answer with pending transactions applied (see `SimnetOptions.readsIncludePending`). */
  readsIncludePending: boolean;
  /** The caching, fan-out proxy in front of each endpoint, or `false` (see `SimnetOptions.proxy`). */
  proxy: ProxyOptions | false;
}

/** A caching proxy in front of an endpoint, fanning reads out over backends that can be blocks apart. */
export interface ProxyOptions {
  /** How long dynamic global properties, witness and schedule reads are served from the cache, ms. */
  cacheMs: number;
  /** How long a reversible block (or header) is served from the cache, ms. */
  blockCacheMs: number;
  /** hived backends behind the proxy; reads go to each in turn. */
  backends: number;
  /** How many blocks each further backend is behind the one before it. */
  backendLagBlocks: number;
}

const SHORT_CACHED = new Set([
  'condenser_api.get_dynamic_global_properties',
  'database_api.get_dynamic_global_properties',
  'condenser_api.get_witness_by_account',
  'database_api.find_witnesses',
  'condenser_api.get_witness_schedule',
  'database_api.get_witness_schedule',
  'condenser_api.get_active_witnesses',
]);
const BLOCK_CACHED = new Set([
  'condenser_api.get_block',
  'condenser_api.get_block_header',
  'block_api.get_block',
  'block_api.get_block_header',
]);

/**
 * One API endpoint (like one public API node) over the shared chain state, with its own faults.
 */
export class Endpoint {
  readonly index: number;
  readonly listener: HttpListener;
  readonly #shared: EndpointShared;
  #faults: ActiveFault[] = [];
  #frozen: ChainData | undefined;
  readonly #random: () => number;
  readonly #hung = new Set<() => void>();
  /** The proxy's cache: `api.method` + params -> answer and when it was cached (simulated ms). */
  readonly #cache = new Map<string, { at: number; result: unknown }>();
  /** The proxy's next backend. */
  #nextBackend = 0;

  constructor(index: number, host: string, port: number, shared: EndpointShared) {
    this.index = index;
    this.#shared = shared;
    this.#random = seededRandom(shared.seedMix + index * 7919);
    this.listener = new HttpListener(host, port, (req, res) => {
      void this.#handle(req, res);
    });
  }

  /** `http://host:port`. */
  get url(): string {
    return this.listener.url;
  }

  /** The faults active now. */
  faults(): ActiveFault[] {
    return [...this.#faults];
  }

  /** Adds a fault (already validated). */
  async addFault(active: ActiveFault): Promise<void> {
    this.#faults.push(active);
    if (active.fault.kind === 'frozen-head' && !this.#frozen) this.#frozen = snapshotChainData(this.#shared.chain.data);
    if (active.fault.kind === 'refuse-connections') {
      // let an answer being written (e.g. to the simnet_api call that asked for this) leave first
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#has('refuse-connections')) await this.listener.close();
    }
  }

  /** Removes a fault by id. Returns whether it was here. */
  async removeFault(id: number): Promise<boolean> {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    if (this.#faults.length === before) return false;
    await this.#reconcile();
    return true;
  }

  /** Removes every fault. */
  async clearFaults(): Promise<void> {
    this.#faults = [];
    await this.#reconcile();
  }

  async #reconcile(): Promise<void> {
    if (!this.#has('frozen-head')) this.#frozen = undefined;
    if (!this.#has('blackhole')) this.#releaseHung();
    // a node cut off from the producers reconnects: what it accepted meanwhile goes out to its peers
    if (!this.#has('withhold-broadcasts')) this.#shared.chain.relayWithheld(this.index, this.#shared.now());
    if (!this.#has('refuse-connections')) await this.listener.listen();
  }

  #has(kind: Fault['kind']): boolean {
    return this.#faults.some((f) => f.fault.kind === kind);
  }

  #find<K extends Fault['kind']>(kind: K, method?: string): Extract<Fault, { kind: K }> | undefined {
    return this.#faults.find((f) => f.fault.kind === kind && faultApplies(f.fault, method))?.fault as
      | Extract<Fault, { kind: K }>
      | undefined;
  }

  /** Starts serving. */
  async start(): Promise<void> {
    await this.listener.listen();
  }

  /** Stops serving; hung requests are released. */
  async stop(): Promise<void> {
    this.#releaseHung();
    await this.listener.close();
  }

  #releaseHung(): void {
    for (const release of this.#hung) release();
    this.#hung.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const activity = this.#shared.activity;
    activity.inFlight++;
    activity.count++;
    let counted = true;
    const done = () => {
      if (counted) {
        counted = false;
        activity.inFlight--;
        activity.count++;
      }
    };
    res.on('close', done);
    try {
      await this.#serve(req, res, () => done());
    } catch {
      if (!res.headersSent) send(res, 500, failure(null, new Error('internal')));
      else res.destroy();
    } finally {
      if (res.writableEnded) done();
    }
  }

  async #serve(req: IncomingMessage, res: ServerResponse, hanging: () => void): Promise<void> {
    if (this.#has('blackhole')) {
      // A dead host behind a live address: the connection is accepted, nothing ever answers. The client's timeout
      // is its only way out; the socket closes when the fault goes (the host comes back with nothing of it).
      hanging();
      await new Promise<void>((resolve) => {
        this.#hung.add(resolve);
        res.on('close', () => this.#hung.delete(resolve));
      });
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, failure(null, new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: use POST')), {
        allow: 'POST',
      });
      return;
    }
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === undefined) {
      send(res, 413, failure(null, new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: body larger than 1 MiB')), {
        connection: 'close',
      });
      return;
    }
    const parsed = parseBody(text);
    const firstMethod = 'requests' in parsed ? methodOf(parsed.requests[0]) : undefined;
    const latency = this.#find('latency', firstMethod);
    if (latency) await delay(latency.ms + (latency.jitterMs ? this.#random() * latency.jitterMs : 0));
    const html = this.#find('html-error', firstMethod);
    if (html && this.#random() < (html.rate ?? 1)) {
      const status = html.status ?? 502;
      const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(
        `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
      );
      return;
    }
    const error = this.#find('error-rate', firstMethod);
    if (error && this.#random() < (error.rate ?? 1)) {
      this.#sendError(res, error.response ?? 'http-503', 'requests' in parsed ? idOf(parsed.requests[0]) : null);
      return;
    }
    if (!('requests' in parsed)) {
      send(res, 200, parsed.response);
      return;
    }
    if (parsed.requests.length > MAX_BATCH) {
      send(
        res,
        200,
        failure(null, new RpcFailure(RPC_INVALID_REQUEST, `Invalid Request: at most ${MAX_BATCH} calls per batch`)),
      );
      return;
    }
    let hung = false;
    const hang = () => {
      hung = true;
      hanging();
      return new Promise<never>((_, reject) => {
        const release = () => reject(new Error('endpoint stopped'));
        this.#hung.add(release);
        res.on('close', () => this.#hung.delete(release));
      });
    };
    const park = <T>(promise: Promise<T>) => {
      hanging();
      return promise;
    };
    const ctx = this.#context(hang, park);
    const responses = await Promise.all(parsed.requests.map((request) => this.#call(request, ctx)));
    if (hung) return;
    const answered = responses.filter((r): r is RpcResponse => r !== undefined);
    const body = parsed.batch ? answered : answered[0];
    const reset = this.#find('reset-connection', firstMethod);
    if (reset && this.#random() < (reset.rate ?? 1)) {
      const json = JSON.stringify(body ?? {});
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.write(json.slice(0, Math.floor(json.length / 2)));
      await new Promise((resolve) => setImmediate(resolve));
      req.socket.destroy();
      return;
    }
    if (body === undefined) {
      res.writeHead(204).end();
      return;
    }
    send(res, 200, body);
  }

  #context(hang: () => Promise<never>, park: <T>(promise: Promise<T>) => Promise<T>): MethodContext {
    const shared = this.#shared;
    const frozen = this.#frozen;
    const broadcastMode = frozen
      ? 'frozen-head'
      : this.#has('drop-broadcasts')
        ? 'drop-broadcasts'
        : this.#has('not-enough-rc')
          ? 'not-enough-rc'
          : this.#has('withhold-broadcasts')
            ? 'withhold-broadcasts'
            : this.#has('hang-broadcasts')
              ? 'hang-broadcasts'
              : 'normal';
    const data = frozen ?? shared.chain.data;
    return {
      chain: shared.chain,
      data,
      readWitnesses: () =>
        shared.readsIncludePending && !frozen
          ? shared.chain.witnessesWithPending(data, this.index, shared.now())
          : data.witnesses,
      shape: shared.shape,
      endpoint: this.index,
      broadcastMode,
      now: shared.now,
      record: shared.record,
      control: shared.control,
      hang,
      park,
    };
  }

  async #call(request: unknown, ctx: MethodContext): Promise<RpcResponse | undefined> {
    let frame: ReturnType<typeof frameOf>;
    try {
      frame = frameOf(request);
    } catch (error) {
      return failure(idOf(request), error);
    }
    const { method, params } = frame.call;
    this.#shared.countCall(
      this.index,
      method === 'call' && Array.isArray(params) ? `${params[0]}.${params[1]}` : method,
    );
    try {
      const name = method === 'call' && Array.isArray(params) ? `${String(params[0])}.${String(params[1])}` : method;
      const result = await this.#viaProxy(name, frame.call.method, frame.call.params, ctx);
      if (frame.notification) return undefined;
      return success(frame.id, this.#lie(frame.call.method, frame.call.params, result));
    } catch (error) {
      if (frame.notification) return undefined;
      return failure(frame.id, error);
    }
  }

  /**
   * The public nodes' proxy: cacheable reads are answered from its cache while fresh; the rest go to its backends in
   * turn, each further one `backendLagBlocks` behind, so two reads in a row can come from different heads.
   * Broadcasts, control calls and a frozen endpoint go straight through.
   */
  async #viaProxy(name: string, method: string, params: unknown, ctx: MethodContext): Promise<unknown> {
    const proxy = this.#shared.proxy;
    const short = SHORT_CACHED.has(name);
    const blocks = BLOCK_CACHED.has(name);
    if (!proxy || this.#frozen || !(short || blocks)) return invoke(method, params, ctx);
    const now = this.#shared.now();
    const key = `${name} ${JSON.stringify(params ?? null)}`;
    const cached = this.#cache.get(key);
    if (cached && now - cached.at < (short ? proxy.cacheMs : proxy.blockCacheMs)) return structuredClone(cached.result);
    const behind = (this.#nextBackend++ % proxy.backends) * proxy.backendLagBlocks;
    const chain = this.#shared.chain;
    const data = chain.stateBehind(behind);
    const backend: MethodContext = {
      ...ctx,
      data,
      readWitnesses: () =>
        this.#shared.readsIncludePending ? chain.witnessesWithPending(data, this.index, now) : data.witnesses,
    };
    const result = await invoke(method, params, backend);
    const empty =
      result === null ||
      result === undefined ||
      (typeof result === 'object' && Object.keys(result as object).length === 0) ||
      (Array.isArray(result) && result.length === 0);
    if (!empty) {
      if (this.#cache.size > 1000) this.#cache.clear();
      this.#cache.set(key, { at: now, result: structuredClone(result) });
    }
    return result;
  }

  /** A lying-witness endpoint's answers: what decides a switch, wrong, and a head moved consistently. */
  #lieAboutWitness(name: string, result: unknown): unknown {
    const lying = this.#find('lying-witness');
    if (!lying || !result || typeof result !== 'object') return result;
    const shift = lying.headShiftBlocks ?? 0;
    const fake = (w: Record<string, unknown>) =>
      lying.witness !== undefined && w.owner !== lying.witness
        ? w
        : {
            ...w,
            ...(lying.signingKey === undefined ? {} : { signing_key: lying.signingKey }),
            total_missed: Number(w.total_missed) + (lying.totalMissedDelta ?? 0),
            last_aslot: Math.max(0, Number(w.last_aslot) + (lying.lastAslotDelta ?? 0)),
          };
    if (name.endsWith('.get_dynamic_global_properties') && shift !== 0) {
      const dgp = result as Record<string, unknown>;
      const num = Math.max(1, Number(dgp.head_block_number) + shift);
      const id = String(dgp.head_block_id);
      const time =
        parseHiveTime(String(dgp.time)) + (num - Number(dgp.head_block_number)) * this.#shared.shape.blockIntervalMs;
      return {
        ...dgp,
        head_block_number: num,
        head_block_id: `${num.toString(16).padStart(8, '0')}${id.slice(8)}`,
        current_aslot: Number(dgp.current_aslot) + (num - Number(dgp.head_block_number)),
        time: this.#shared.shape.timeString(time),
      };
    }
    if (name === 'condenser_api.get_witness_by_account') return fake(result as Record<string, unknown>);
    if (name === 'database_api.find_witnesses') {
      const r = result as { witnesses: Record<string, unknown>[] };
      return { ...r, witnesses: r.witnesses.map(fake) };
    }
    return result;
  }

  /** A lying-head endpoint's answers: the head far ahead and witness objects that disagree. */
  #lie(method: string, params: unknown, result: unknown): unknown {
    const name0 = method === 'call' && Array.isArray(params) ? `${String(params[0])}.${String(params[1])}` : method;
    result = this.#lieAboutWitness(name0, result);
    const lying = this.#find('lying-head');
    if (!lying || !result || typeof result !== 'object') return result;
    const name = method === 'call' && Array.isArray(params) ? `${String(params[0])}.${String(params[1])}` : method;
    const ahead = lying.aheadBlocks ?? 1000;
    const fakeWitness = (w: Record<string, unknown>) => ({
      ...w,
      signing_key: lying.signingKey ?? NULL_KEY,
      total_missed: Number(w.total_missed) + (lying.totalMissedDelta ?? 0),
    });
    if (name.endsWith('.get_dynamic_global_properties')) {
      const dgp = result as Record<string, unknown>;
      return { ...dgp, head_block_number: Number(dgp.head_block_number) + ahead };
    }
    if (name === 'condenser_api.get_witness_by_account') return fakeWitness(result as Record<string, unknown>);
    if (name === 'database_api.find_witnesses') {
      const r = result as { witnesses: Record<string, unknown>[] };
      return { witnesses: r.witnesses.map(fakeWitness) };
    }
    return result;
  }

  #sendError(res: ServerResponse, kind: 'http-500' | 'http-503' | 'rpc-internal' | 'rpc-server', id: unknown): void {
    if (kind === 'http-500' || kind === 'http-503') {
      const status = kind === 'http-500' ? 500 : 503;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 500 ? 'Internal Server Error' : 'Service Unavailable');
      return;
    }
    const error =
      kind === 'rpc-internal'
        ? { code: -32603, message: 'Internal Error' }
        : // hived sends this one with no `data`
          { code: -32000, message: 'Unable to acquire database lock' };
    send(res, 200, { jsonrpc: '2.0', id, error });
  }
}

function methodOf(request: unknown): string | undefined {
  if (request && typeof request === 'object' && 'method' in request) {
    const r = request as { method: unknown; params: unknown };
    if (r.method === 'call' && Array.isArray(r.params)) return `${String(r.params[0])}.${String(r.params[1])}`;
    return typeof r.method === 'string' ? r.method : undefined;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
