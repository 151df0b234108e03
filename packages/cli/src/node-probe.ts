/**
 * The CLI's own look at one RPC node, before any command that signs or judges a setup uses it: raw JSON-RPC, each
 * call bounded by the RPC timeout and cancelled when it runs out. It asks the node which chain it is on
 * (`database_api.get_version` -> `chain_id`, or `database_api.get_config` -> `HIVE_CHAIN_ID` where the first is not
 * served), how old its head is (`condenser_api.get_dynamic_global_properties`) and which of the methods the trap calls
 * it serves (`jsonrpc.get_methods`). No key, no signature, no broadcast.
 */
import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The largest answer a probe reads; `get_methods`, the longest, is a few kilobytes. */
const MAX_PROBE_ANSWER_BYTES = 1024 * 1024;

/** What the chain client defaults to: the one bound on each call of the probe where `--rpc-timeout` is unset. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5000;

/** The JSON-RPC methods the trap calls on a node, and the API plugin each belongs to (hived: `plugin = ...`). */
export const METHODS_THE_TRAP_CALLS: readonly string[] = [
  'condenser_api.get_dynamic_global_properties',
  'condenser_api.get_witness_by_account',
  'condenser_api.get_block',
  'condenser_api.get_accounts',
  'condenser_api.get_config',
  'condenser_api.broadcast_transaction',
  'database_api.get_witness_schedule',
];

/** One node's answers, or why it gave none. */
export interface NodeProbe {
  url: string;
  /** It answered at least one call within the timeout. */
  reachable: boolean;
  /** The chain it says it is on (lower-case hex), where it said. */
  chainId?: string;
  headBlockNumber?: number;
  /** How old its head block was when it answered (its block time against this host's clock). */
  headAgeMs?: number;
  /** The methods of {@link METHODS_THE_TRAP_CALLS} it does not serve; absent where it does not list its methods. */
  missingMethods?: string[];
  /** How long the probe took, ms. */
  elapsedMs: number;
  /** The first failure, in a few words (`no answer within 5 s`, `ECONNREFUSED`, hived's message). */
  error?: string;
}

/** Options for {@link probeNode}. */
export interface ProbeOptions {
  /** The bound on each call. @default DEFAULT_PROBE_TIMEOUT_MS */
  timeoutMs?: number;
  /** Cancels every call in flight (SIGINT). */
  signal?: AbortSignal;
  /** Ask only for the chain id (one call, two where `get_version` is not served): the pre-flight of the commands that sign. */
  chainIdOnly?: boolean;
}

class RpcError extends Error {}

/** Probes every configured node at once, each within the RPC timeout. */
export function probeAll(
  settings: { nodes: readonly string[]; rpcTimeoutMs?: number | undefined },
  signal?: AbortSignal,
  options: Pick<ProbeOptions, 'chainIdOnly'> = {},
): Promise<NodeProbe>[] {
  const timeoutMs = settings.rpcTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return settings.nodes.map((url) => probeNode(url, { ...options, timeoutMs, ...(signal ? { signal } : {}) }));
}

/** Asks one node, all calls at once under one deadline: resolves within the timeout, never rejects. */
export async function probeNode(url: string, options: ProbeOptions = {}): Promise<NodeProbe> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const started = Date.now();
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const call = (method: string, params: unknown) => rpc(url, method, params, signal);
  const errors: string[] = [];
  const settle = <T>(promise: Promise<T>): Promise<T | undefined> =>
    promise.catch((error: unknown) => {
      errors.push(describe(error, timeoutMs));
      return undefined;
    });
  const [chainId, dgp, methods] = await Promise.all([
    settle(readChainId(call)),
    options.chainIdOnly ? undefined : settle(call('condenser_api.get_dynamic_global_properties', [])),
    // Not every node lists its methods (and an old one may not know the call): its absence is not a failure.
    options.chainIdOnly ? undefined : call('jsonrpc.get_methods', {}).catch(() => undefined),
  ]);
  const probe: NodeProbe = { url, reachable: false, elapsedMs: 0 };
  if (typeof chainId === 'string') probe.chainId = chainId.toLowerCase();
  const head = dgp as { head_block_number?: unknown; time?: unknown } | undefined;
  if (typeof head?.head_block_number === 'number') probe.headBlockNumber = head.head_block_number;
  if (typeof head?.time === 'string') {
    // hived writes UTC without a zone.
    const time = Date.parse(head.time.endsWith('Z') ? head.time : `${head.time}Z`);
    if (Number.isFinite(time)) probe.headAgeMs = Math.max(0, Date.now() - time);
  }
  if (Array.isArray(methods)) {
    const served = new Set(methods.map(String));
    probe.missingMethods = METHODS_THE_TRAP_CALLS.filter((method) => !served.has(method));
  }
  probe.reachable = chainId !== undefined || dgp !== undefined || methods !== undefined;
  if (errors[0] !== undefined) probe.error = errors[0];
  probe.elapsedMs = Date.now() - started;
  return probe;
}

/** `get_version`'s `chain_id`; `get_config`'s `HIVE_CHAIN_ID` where the node does not serve `get_version`. */
async function readChainId(call: (method: string, params: unknown) => Promise<unknown>): Promise<string> {
  try {
    const version = (await call('database_api.get_version', {})) as { chain_id?: unknown } | null;
    if (typeof version?.chain_id === 'string') return version.chain_id;
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
  }
  const config = (await call('database_api.get_config', {})) as { HIVE_CHAIN_ID?: unknown } | null;
  if (typeof config?.HIVE_CHAIN_ID === 'string') return config.HIVE_CHAIN_ID;
  throw new RpcError('the node does not say which chain it is on (get_version, get_config)');
}

/**
 * One call, with Node's own http(s) client: not the global `fetch`, whose first use loads undici and compiles its
 * WebAssembly HTTP parser, 13 to 18 MB of resident memory that a watch then keeps for nothing (docs/performance.md,
 * footprint). Rejects with the signal's reason when it aborts (the deadline's `TimeoutError`, or the caller's).
 */
function rpc(url: string, method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(signal.aborted ? signal.reason : error);
    let request: ClientRequest;
    try {
      request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
    } catch (error) {
      fail(error);
      return;
    }
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // A probe's answers are a few hundred bytes: a node streaming more is not answering the question.
        if (size > MAX_PROBE_ANSWER_BYTES) request.destroy(new RpcError('the answer is too large'));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            result?: unknown;
            error?: { message?: unknown };
          };
          if (answer.error) throw new RpcError(String(answer.error.message ?? 'error').slice(0, 160));
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) throw new RpcError(`HTTP ${status}`);
          resolve(answer.result);
        } catch (error) {
          fail(error);
        }
      });
    });
    request.end(body);
  });
}

function describe(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  if (name === 'AbortError') return 'cancelled';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
