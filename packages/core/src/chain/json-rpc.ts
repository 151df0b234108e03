import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RpcError, TimeoutError, WitnessTrapError } from '../errors.js';

/** The largest answer read from a node; a bigger one is junk (a full block is well under this). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** How much of a node's error message is kept: hived's can carry a whole transaction. */
const MAX_MESSAGE_CHARS = 300;

/** One JSON-RPC endpoint, with the form of its URL that may be shown (no credentials, no query). */
export interface RpcEndpoint {
  url: URL;
  /** Safe to log, to put in errors and in `NodeStatus.url`. */
  name: string;
}

/** Parses and checks an RPC node URL. Returns `undefined` where it is not an http(s) URL. */
export function rpcEndpoint(text: string): RpcEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const secret = url.username !== '' || url.password !== '' || url.search !== '';
  const name = secret ? `${url.protocol}//${url.host}${url.pathname}` : text;
  return { url, name };
}

/** Options for one call. */
export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * JSON-RPC 2.0 over HTTP POST with Node's own http(s) client and keep-alive agents owned by this transport, so
 * that every call has a hard timeout that really ends its socket, and `close()` ends them all. dhive's `Client`
 * cannot offer either: its broadcasts have no timeout and it retries inside each call.
 */
export class JsonRpcTransport {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 8 });
  #nextId = 1;
  #closed = false;

  /**
   * Calls `method` with `params` on `endpoint` and returns its `result`.
   *
   * @throws TimeoutError past `timeoutMs`; RpcError for a JSON-RPC error (hived's `data.name` and `data.code`
   * parsed), an answer that is not JSON-RPC (HTML, junk, an HTTP error), or a connection failure
   * (`RPC_UNREACHABLE`); the signal's reason (a WitnessTrapError, or `ABORTED`) when aborted.
   */
  async call(endpoint: RpcEndpoint, method: string, params: unknown, options: CallOptions): Promise<unknown> {
    if (this.#closed) throw new WitnessTrapError('CLIENT_CLOSED', 'the chain client is closed', 'runtime');
    const id = this.#nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    const fields = { node: endpoint.name, method };
    const { status, text } = await this.#post(endpoint, body, options, fields);

    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new RpcError(
        `${method} on ${endpoint.name}: the answer is not JSON (HTTP ${status})`,
        { ...fields, rpcCode: status },
        { code: 'RPC_BAD_ANSWER', isRetryable: true },
      );
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
      throw badAnswer(fields, endpoint.name, status, 'not a JSON-RPC object');
    }
    const envelope = answer as { error?: unknown; result?: unknown; id?: unknown };
    if (envelope.error !== undefined && envelope.error !== null) throw rpcErrorFrom(envelope.error, fields, status);
    if (status < 200 || status >= 300) throw badAnswer(fields, endpoint.name, status, `HTTP ${status}`);
    if (!('result' in envelope)) throw badAnswer(fields, endpoint.name, status, 'no result');
    if (envelope.id !== id) throw badAnswer(fields, endpoint.name, status, 'the answer is for another request');
    return envelope.result;
  }

  /** Ends every socket. Calls after this fail with `CLIENT_CLOSED`. */
  close(): void {
    this.#closed = true;
    this.#http.destroy();
    this.#https.destroy();
  }

  #post(
    endpoint: RpcEndpoint,
    body: string,
    options: CallOptions,
    fields: { node: string; method: string },
  ): Promise<{ status: number; text: string }> {
    const { signal, timeoutMs } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const https = endpoint.url.protocol === 'https:';
      const controller = new AbortController();
      let settled = false;
      const finish = (error: Error | undefined, value?: { status: number; text: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error !== undefined) {
          // Ends the socket, whatever state the request is in: a node that hangs keeps nothing of ours.
          controller.abort();
          reject(error);
        } else if (value !== undefined) resolve(value);
      };
      const timer = setTimeout(() => {
        finish(
          new TimeoutError(`${fields.method} on ${endpoint.name} took longer than ${timeoutMs} ms`, {
            details: { node: endpoint.name, method: fields.method, timeoutMs },
          }),
        );
      }, timeoutMs);
      const onAbort = (): void => finish(signal === undefined ? new Error('aborted') : abortError(signal));
      signal?.addEventListener('abort', onAbort, { once: true });

      // A keep-alive socket the node closed while idle fails on reuse before the request reached it: send again.
      let resent = false;
      const send = (): void => {
        const request = (https ? httpsRequest : httpRequest)(endpoint.url, {
          method: 'POST',
          agent: https ? this.#https : this.#http,
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        });
        request.on('error', (error: NodeJS.ErrnoException) => {
          if (request.reusedSocket && !resent && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
            resent = true;
            send();
            return;
          }
          finish(
            new RpcError(
              `${fields.method} on ${endpoint.name}: ${error.code ?? error.message}`,
              { ...fields },
              { code: 'RPC_UNREACHABLE', isRetryable: true, cause: error },
            ),
          );
        });
        request.on('response', (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              finish(badAnswer(fields, endpoint.name, response.statusCode ?? 0, 'the answer is too large'));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error: Error) => {
            finish(
              new RpcError(`${fields.method} on ${endpoint.name}: the answer was cut off`, fields, {
                code: 'RPC_UNREACHABLE',
                isRetryable: true,
                cause: error,
              }),
            );
          });
          response.on('end', () => {
            finish(undefined, { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
        });
        request.end(body);
      };
      send();
    });
  }
}

function badAnswer(fields: { node: string; method: string }, node: string, status: number, why: string): RpcError {
  return new RpcError(
    `${fields.method} on ${node}: not a valid answer (${why})`,
    { ...fields, rpcCode: status },
    { code: 'RPC_BAD_ANSWER', isRetryable: true },
  );
}

/** Turns a JSON-RPC `error` member into an RpcError with hived's `data.name` and `data.code`. */
function rpcErrorFrom(error: unknown, fields: { node: string; method: string }, status: number): RpcError {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const data =
    typeof record.data === 'object' && record.data !== null ? (record.data as Record<string, unknown>) : undefined;
  const rpcCode = typeof record.code === 'number' ? record.code : status;
  const dataName = typeof data?.name === 'string' ? data.name : undefined;
  const dataCode = typeof data?.code === 'number' ? data.code : undefined;
  const raw =
    typeof record.message === 'string' ? record.message : typeof error === 'string' ? error : 'JSON-RPC error';
  const message = raw.length > MAX_MESSAGE_CHARS ? `${raw.slice(0, MAX_MESSAGE_CHARS)}...` : raw;
  return new RpcError(
    `${fields.method} on ${fields.node}: ${message}`,
    {
      ...fields,
      rpcCode,
      ...(dataName === undefined ? {} : { dataName }),
      ...(dataCode === undefined ? {} : { dataCode }),
    },
    {
      // The node's own trouble (overloaded, plugin missing) may pass elsewhere; hived's verdict on the request will not.
      isRetryable: rpcCode === -32603 || rpcCode === -32601 || rpcCode === 429 || rpcCode >= 500,
      details: { message: raw.slice(0, 2000), ...(data === undefined ? {} : { data: summarize(data) }) },
    },
  );
}

/** The parts of hived's `error.data` worth logging: name, code, message, the first stack frame's format. */
function summarize(data: Record<string, unknown>): Record<string, unknown> {
  const stack = Array.isArray(data.stack) ? data.stack[0] : undefined;
  const format = typeof stack === 'object' && stack !== null ? (stack as Record<string, unknown>).format : undefined;
  return { name: data.name, code: data.code, message: data.message, format };
}

/** The reason a call was aborted, as a witness-trap error (the signal's own reason where it is one). */
export function abortError(signal: AbortSignal): WitnessTrapError {
  const reason: unknown = signal.reason;
  if (reason instanceof WitnessTrapError) return reason;
  return new WitnessTrapError('ABORTED', 'the call was aborted', 'runtime', { cause: reason });
}
