/**
 * A counting JSON-RPC proxy on 127.0.0.1: it forwards every request to one node unchanged and counts the calls in
 * it by method (batches call by call; the legacy `call` form as `api.method`). The simnet counts requests but not
 * methods; counting at a proxy measures what a real node would serve, whatever client made the calls.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running counting proxy. */
export interface CountingProxy {
  /** Point the client here: `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Calls by method since the last reset. */
  counts(): Map<string, number>;
  /** All calls since the last reset. */
  total(): number;
  /** Starts counting afresh. */
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts a proxy to `target`.
 *
 * @example
 * ```ts
 * const proxy = await startCountingProxy(sim.url);
 * const chain = dhiveChainClient({ nodes: [proxy.url], chainId: sim.chainId });
 * // ... later
 * proxy.counts(); // Map { 'condenser_api.get_dynamic_global_properties' => 21, ... }
 * ```
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      for (const method of methodsOf(body)) counts.set(method, (counts.get(method) ?? 0) + 1);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': body.length },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(counts),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => {
      counts = new Map();
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** The methods called in one JSON-RPC body (an object or a batch); unreadable bodies count as `(unparsed)`. */
export function methodsOf(body: Buffer | string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return ['(unparsed)'];
  }
  const calls = Array.isArray(parsed) ? parsed : [parsed];
  return calls.map((call) => {
    const { method, params } = (call ?? {}) as { method?: unknown; params?: unknown };
    if (method === 'call' && Array.isArray(params) && typeof params[0] === 'string' && typeof params[1] === 'string') {
      return `${params[0]}.${params[1]}`;
    }
    return typeof method === 'string' ? method : '(no method)';
  });
}
