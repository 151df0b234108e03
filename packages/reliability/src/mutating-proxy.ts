/**
 * An RPC node that lies in every way a broken one can: a proxy in front of a real (simulated) node that passes each
 * request on and mangles the answer (truncated, wrong types, huge numbers, missing fields, an HTML error page,
 * random bytes) as the test sets it. It counts what it was asked, broadcasts included.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How answers are mangled. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'huge'; value: number | string }
  | { kind: 'html'; status: number }
  | { kind: 'body'; text: string }
  | { kind: 'result'; value: unknown }
  /**
   * A well-formed lie: `rewrite` gets the JSON-RPC method and the upstream's parsed `result` and returns the result to
   * send instead (e.g. a witness object with another `total_missed`, `last_aslot` or `signing_key`): nothing a format
   * check can see, only a vote between nodes.
   */
  | { kind: 'lie'; rewrite: (method: string, result: unknown) => unknown };

/** The proxy and what it saw. */
export interface MutatingProxy {
  url: string;
  /** The mutation applied to every answer from now on. */
  mutation: Mutation;
  /** JSON-RPC methods asked, in order. */
  readonly methods: string[];
  close(): Promise<void>;
}

/** Every object (with its key) inside `value`, depth first: the places a mutation can hit. */
function slots(value: unknown, out: Array<{ owner: Record<string, unknown>; key: string }> = []) {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out.push({ owner: value as Record<string, unknown>, key });
      slots(inner, out);
    }
  }
  return out;
}

function replaceNumbers(value: unknown, by: number | string): unknown {
  if (typeof value === 'number') return by;
  if (Array.isArray(value)) return value.map((v) => replaceNumbers(v, by));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceNumbers(v, by)]));
  }
  return value;
}

/** Applies `mutation` to one answer to `method`; returns the HTTP status and body to send. */
export function mangle(text: string, mutation: Mutation, method = ''): { status: number; body: string; type: string } {
  const json = 'application/json';
  switch (mutation.kind) {
    case 'none':
      return { status: 200, body: text, type: json };
    case 'truncate':
      return { status: 200, body: text.slice(0, Math.floor(text.length * mutation.fraction)), type: json };
    case 'html':
      return {
        status: mutation.status,
        body: `<html><body><h1>${mutation.status}</h1>nginx</body></html>`,
        type: 'text/html',
      };
    case 'body':
      return { status: 200, body: mutation.text, type: json };
  }
  const parsed = JSON.parse(text) as { result?: unknown };
  if (mutation.kind === 'result') parsed.result = mutation.value;
  if (mutation.kind === 'lie' && parsed.result !== undefined) parsed.result = mutation.rewrite(method, parsed.result);
  if (mutation.kind === 'huge') parsed.result = replaceNumbers(parsed.result, mutation.value);
  if (mutation.kind === 'replace' || mutation.kind === 'delete') {
    const found = slots(parsed.result);
    const slot = found[found.length === 0 ? 0 : mutation.pick % found.length];
    if (slot !== undefined) {
      if (mutation.kind === 'replace') slot.owner[slot.key] = mutation.value;
      else delete slot.owner[slot.key];
    }
  }
  return { status: 200, body: JSON.stringify(parsed), type: json };
}

/**
 * Starts a proxy in front of `target` on 127.0.0.1.
 * @example
 * const proxy = await startMutatingProxy(sim.url);
 * proxy.mutation = { kind: 'truncate', fraction: 0.5 };
 */
export async function startMutatingProxy(target: string): Promise<MutatingProxy> {
  const methods: string[] = [];
  const state: { mutation: Mutation } = { mutation: { kind: 'none' } };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let method = '';
      try {
        const request = JSON.parse(body) as { method?: string } | Array<{ method?: string }>;
        for (const r of Array.isArray(request) ? request : [request]) methods.push(String(r.method));
        if (!Array.isArray(request)) method = String(request.method);
      } catch {
        methods.push('(unparsable)');
      }
      try {
        const upstream = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        const answer = mangle(await upstream.text(), state.mutation, method);
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(answer.body);
      } catch {
        res.socket?.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mutation() {
      return state.mutation;
    },
    set mutation(value: Mutation) {
      state.mutation = value;
    },
    methods,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
