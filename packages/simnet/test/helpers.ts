import {
  Client,
  cryptoUtils,
  type Operation,
  PrivateKey,
  type SignedTransaction,
  type Transaction,
} from '@hiveio/dhive';
import type { Simnet } from '../src/index.js';

/** A dhive client on the simnet, as a user's tool would make one (short timeout: everything is local). */
export function dhiveClient(sim: Simnet, url = sim.url, timeout = 2000): Client {
  return new Client(url, { chainId: sim.chainId, timeout, failoverThreshold: 0 });
}

/** Builds TaPoS and expiration from the node's head, as dhive's own `sendOperations` does, and signs. */
export async function signOps(
  client: Client,
  sim: Simnet,
  operations: Operation[],
  keys: string[],
  overrides: Partial<Transaction> & { expiresInMs?: number } = {},
): Promise<SignedTransaction> {
  const props = await client.database.getDynamicGlobalProperties();
  const { expiresInMs = 60_000, ...rest } = overrides;
  const tx: Transaction = {
    ref_block_num: props.head_block_number & 0xffff,
    ref_block_prefix: Buffer.from(props.head_block_id, 'hex').readUInt32LE(4),
    expiration: new Date(Date.parse(`${props.time}Z`) + expiresInMs).toISOString().slice(0, 19),
    operations,
    extensions: [],
    ...rest,
  };
  return cryptoUtils.signTransaction(
    tx,
    keys.map((k) => PrivateKey.fromString(k)),
    Buffer.from(sim.chainId, 'hex'),
  );
}

/** hived's `error.data` of a dhive RPCError (dhive keeps it as `jse_info`). */
export async function rejection(promise: Promise<unknown>): Promise<{ name: string; code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const info = (error as { jse_info?: { name?: string; code?: number } }).jse_info ?? {};
    return { name: String(info.name), code: Number(info.code), message: (error as Error).message };
  }
  throw new Error('expected a rejection, got success');
}

/** A raw JSON-RPC POST; returns the HTTP status and the parsed body (or text where it is not JSON). */
export async function post(url: string, body: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the caller looks at `text`
  }
  return { status: response.status, body: parsed, text };
}

/** One JSON-RPC call; returns the whole response object. */
export async function rpc(url: string, method: string, params: unknown = []): Promise<Record<string, unknown>> {
  const { body } = await post(url, { jsonrpc: '2.0', id: 1, method, params });
  return body as Record<string, unknown>;
}
