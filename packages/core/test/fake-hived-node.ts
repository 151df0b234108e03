/**
 * A tiny hived look-alike for the chain client's tests: a real HTTP JSON-RPC server on 127.0.0.1 whose answers
 * (and misbehaviour: hanging, HTML, hived errors, lies) each test sets directly. The full simulated chain lives in
 * `@witness-trap/simnet`; this one exists to put one node in one exact state.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../src/types.js';

/** What a method answers: a result, a hived error, or a misbehaviour. */
export type Answer =
  | { result: unknown }
  | { error: { code: number; message: string; data?: unknown } }
  | { hang: true }
  | { http: number; body: string; contentType?: string };

export type Handler = (params: unknown) => Answer;

export interface FakeHivedNode {
  url: string;
  /** The head this node reports (`time` in epoch ms). */
  head: { number: number; time: number; fork?: string };
  /** Per-method overrides; the defaults answer from `head` and `witnesses`. */
  handlers: Record<string, Handler>;
  /** Witness objects by owner, as hived's condenser API writes them. */
  witnesses: Record<string, Record<string, unknown>>;
  /** Broadcast transactions received, in order. */
  broadcasts: unknown[];
  /** Methods called, in order. */
  calls: string[];
  /** Drop (without an answer) any request that arrives on a connection already used once: a keep-alive race. */
  dropReusedConnections: boolean;
  /** Real ms every answer waits before it is computed and sent (a slow node). @default 0 */
  latencyMs: number;
  /** Sockets open now (to prove a timed-out call left none behind). */
  openSockets(): number;
  close(): Promise<void>;
}

/** hived's time format: UTC, no zone suffix. */
export function hiveTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** A block id as hived makes them: the number in the first 4 bytes, the rest a hash (here: a fork tag). */
export function blockIdOf(number: number, fork = 'a'): string {
  return number.toString(16).padStart(8, '0') + fork.repeat(32).slice(0, 32);
}

export function dgp(head: { number: number; time: number; fork?: string }): Record<string, unknown> {
  return {
    head_block_number: head.number,
    head_block_id: blockIdOf(head.number, head.fork),
    time: hiveTime(head.time),
    current_witness: 'bob',
    current_aslot: String(head.number + 200),
    last_irreversible_block_num: head.number - 15,
    participation_count: 128,
  };
}

export function witnessJson(owner: string, signingKey: string, overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    owner,
    url: `https://example.com/${owner}`,
    votes: '123456789',
    total_missed: 88,
    last_aslot: 1202,
    last_confirmed_block_num: 1092,
    signing_key: signingKey,
    props: { account_creation_fee: '3.000 HIVE', maximum_block_size: 65536, hbd_interest_rate: 0 },
    running_version: '1.28.3',
    ...overrides,
  };
}

export async function startFakeHivedNode(clock: Clock): Promise<FakeHivedNode> {
  const sockets = new Set<Socket>();
  const node: FakeHivedNode = {
    url: '',
    head: { number: 1000, time: clock.now() },
    handlers: {},
    witnesses: {},
    broadcasts: [],
    calls: [],
    dropReusedConnections: false,
    latencyMs: 0,
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const defaults: Record<string, Handler> = {
    'condenser_api.get_dynamic_global_properties': () => ({ result: dgp(node.head) }),
    'condenser_api.get_witness_by_account': (params) => ({
      result: node.witnesses[String((params as unknown[])[0])] ?? null,
    }),
    'condenser_api.get_config': () => ({ result: { HIVE_BLOCK_INTERVAL: 3, HIVE_CHAIN_ID: 'ab'.repeat(32) } }),
    'condenser_api.broadcast_transaction': (params) => {
      node.broadcasts.push((params as unknown[])[0]);
      return { result: {} };
    },
  };
  const served = new WeakMap<Socket, number>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const count = (served.get(request.socket) ?? 0) + 1;
    served.set(request.socket, count);
    if (node.dropReusedConnections && count > 1) {
      request.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (node.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, node.latencyMs));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: number;
        method: string;
        params: unknown;
      };
      node.calls.push(body.method);
      const handler = node.handlers[body.method] ?? defaults[body.method];
      const answer: Answer = handler
        ? handler(body.params)
        : { error: { code: -32601, message: `method not found: ${body.method}` } };
      if ('hang' in answer) return; // never answers: the client's timeout must end it
      if ('http' in answer) {
        response.writeHead(answer.http, { 'content-type': answer.contentType ?? 'text/html' });
        response.end(answer.body);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, ...answer }));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return node;
}

/** A clock that only moves when told to. */
export function manualClock(start = Date.UTC(2026, 10, 25, 3, 0, 0)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    sleep: async () => undefined,
  };
}
