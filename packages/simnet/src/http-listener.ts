import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP server on a fixed host and port that can go dark (connections refused, open ones destroyed) and come
 * back on the same port: what an API endpoint with a refused-connections fault and a witness node's health URL
 * both need.
 */
export class HttpListener {
  readonly host: string;
  #port: number;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #handler: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(host: string, port: number, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.host = host;
    this.#port = port;
    this.#handler = handler;
  }

  /** The port (known after the first `open`). */
  get port(): number {
    return this.#port;
  }

  /** `http://host:port`. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.#port}`;
  }

  /** Whether it accepts connections now. */
  get open(): boolean {
    return this.#server !== undefined;
  }

  /** Starts listening (on the same port as before, after a `close`). */
  async listen(): Promise<void> {
    if (this.#server) return;
    const server = createServer({ keepAlive: true }, this.#handler);
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        this.#server = undefined;
        reject(error);
      });
      server.listen(this.#port, this.host, () => {
        const address = server.address();
        if (address && typeof address === 'object') this.#port = address.port;
        resolve();
      });
    });
  }

  /** Stops listening and destroys open connections (clients see a reset or a refused connection). */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }
}

/** Reads a request body up to `limit` bytes. Resolves `undefined` when the body is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
