import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Chain, PendingTransaction } from './chain.js';
import { type ChainData, snapshotChainData } from './chain-data.js';
import { type Fault, faultApplies, seededRandom } from './faults.js';
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
}

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
  /** Transactions this endpoint accepted under `withhold-broadcasts`: kept (until they expire), never relayed. */
  #withheld: PendingTransaction[] = [];

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
    for (const release of this.#hung) release();
    this.#hung.clear();
    await this.listener.close();
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
        : this.#has('withhold-broadcasts')
          ? 'withhold-broadcasts'
          : this.#has('hang-broadcasts')
            ? 'hang-broadcasts'
            : 'normal';
    const data = frozen ?? shared.chain.data;
    // Expired ones fall out of the pool, as hived drops them at the next block.
    this.#withheld = this.#withheld.filter((p) => p.expiration > data.globals.time);
    const withheld = this.#withheld;
    return {
      chain: shared.chain,
      data,
      readWitnesses: () =>
        shared.readsIncludePending && !frozen ? shared.chain.witnessesWithPending(data, withheld) : data.witnesses,
      withheld,
      withhold: (tx) => {
        this.#withheld.push(tx);
      },
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
      const result = await invoke(frame.call.method, frame.call.params, ctx);
      if (frame.notification) return undefined;
      return success(frame.id, this.#lie(frame.call.method, frame.call.params, result));
    } catch (error) {
      if (frame.notification) return undefined;
      return failure(frame.id, error);
    }
  }

  /** A lying-head endpoint's answers: the head far ahead and witness objects that disagree. */
  #lie(method: string, params: unknown, result: unknown): unknown {
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
        : {
            code: -32000,
            message: 'Unable to acquire database lock',
            data: { code: 0, name: 'exception', message: 'unspecified', stack: [] },
          };
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
