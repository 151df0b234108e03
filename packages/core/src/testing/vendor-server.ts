import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the {@link VendorServer} received, as it arrived. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/2010-04-01/Accounts/AC123/Messages.json`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body text. */
  body: string;
}

/**
 * How the server answers one request:
 * - `{ status, headers?, body? }`: an HTTP answer; an object `body` is sent as JSON.
 * - `{ hang: true }`: never answer (a vendor that stalls); the request stays open until the client gives up.
 * - `{ destroy: true }`: drop the connection without an answer (a network failure).
 */
export type CannedResponse =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { hang: true }
  | { destroy: true };

/** A canned answer, or a function of the request that picks one. */
export type Responder = CannedResponse | ((request: RecordedRequest) => CannedResponse);

/**
 * A local HTTP server on 127.0.0.1 that stands in for a vendor's API (Twilio, Telegram, a webhook receiver):
 * it records every request and answers with what the test scripted.
 *
 * @example
 * const server = await startVendorServer();
 * server.respondWith({ status: 500 }, { status: 200, body: { ok: true } }); // fail once, then succeed
 * // ... point a notifier at server.url, notify, then:
 * server.requests.length; // 2
 * await server.close();
 */
export interface VendorServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Every request received so far, oldest first. */
  readonly requests: RecordedRequest[];
  /**
   * Scripts the next answers, in order; the last one repeats for every later request.
   * @default { status: 200, body: {} }
   */
  respondWith(...responders: Responder[]): void;
  /** Resolves once `count` requests in all have arrived. */
  waitForRequests(count: number): Promise<void>;
  /** Stops the server, dropping any request left hanging. */
  close(): Promise<void>;
}

/** Starts a {@link VendorServer} on a free port of 127.0.0.1. */
export async function startVendorServer(): Promise<VendorServer> {
  const requests: RecordedRequest[] = [];
  let script: Responder[] = [{ status: 200, body: {} }];
  let waiters: Array<{ count: number; resolve: () => void }> = [];

  const answer = (recorded: RecordedRequest, res: ServerResponse) => {
    const next = script.length > 1 ? script.shift() : script[0];
    const canned = typeof next === 'function' ? next(recorded) : (next ?? { status: 200, body: {} });
    if ('hang' in canned) return;
    if ('destroy' in canned) {
      res.socket?.destroy();
      return;
    }
    const isText = typeof canned.body === 'string' || canned.body === undefined;
    const text = canned.body === undefined ? '' : isText ? String(canned.body) : JSON.stringify(canned.body);
    res.writeHead(canned.status, {
      ...(isText ? {} : { 'content-type': 'application/json' }),
      ...canned.headers,
    });
    res.end(text);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      waiters = waiters.filter((waiter) => {
        if (requests.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
      answer(recorded, res);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(...responders) {
      script = responders.length === 0 ? [{ status: 200, body: {} }] : [...responders];
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
