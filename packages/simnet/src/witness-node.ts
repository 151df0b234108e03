import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChainData } from './chain-data.js';
import { HttpListener, readBody } from './http-listener.js';
import { failure, frameOf, parseBody, RPC_METHOD_NOT_FOUND, RpcFailure, success } from './rpc/json-rpc.js';
import { legacyGlobals, type ShapeContext } from './rpc/shapes.js';

/** What a node's health answer says. */
export interface NodeHealth {
  head_block_number: number;
  head_block_time: string;
  /** Its key is some witness's on-chain signing key (and it is up): it produces that witness's slots. */
  producing: boolean;
  key: string;
  /** The witness whose key it holds on chain, if any. */
  witness: string | null;
}

/**
 * A simulated witness node: it holds one signing key and is up or down. While up it produces the slots of the
 * witness whose on-chain key is its key, and (with health endpoints on) answers on its own health URL; while down,
 * that URL refuses connections, as a dead server's would.
 */
export class WitnessNode {
  readonly key: string;
  #up: boolean;
  /** Health requests held unanswered while the node is down and blackholed. */
  readonly #held = new Set<() => void>();
  #blackholed = false;
  readonly listener: HttpListener | undefined;
  readonly #data: () => ChainData;
  readonly #shape: ShapeContext;

  constructor(
    key: string,
    up: boolean,
    health: { host: string } | undefined,
    data: () => ChainData,
    shape: ShapeContext,
  ) {
    this.key = key;
    this.#up = up;
    this.#data = data;
    this.#shape = shape;
    this.listener = health ? new HttpListener(health.host, 0, (req, res) => void this.#handle(req, res)) : undefined;
  }

  /** Whether it is up. */
  get up(): boolean {
    return this.#up;
  }

  /** Its health URL, if it has one (known once started). */
  get healthUrl(): string | undefined {
    return this.listener?.url;
  }

  /** Starts it (and its health URL) or brings it back. */
  async start(): Promise<void> {
    this.#up = true;
    this.#release();
    await this.listener?.listen();
  }

  /**
   * Takes it down: it stops producing at once; its health URL goes dark: `refuse` closes the port, `blackhole`
   * keeps accepting connections and never answers.
   */
  async stop(mode: 'blackhole' | 'refuse' = 'refuse'): Promise<void> {
    this.#up = false;
    if (mode === 'blackhole') {
      this.#blackholed = true;
      await this.listener?.listen();
    } else {
      this.#release();
      await this.listener?.close();
    }
  }

  #release(): void {
    this.#blackholed = false;
    for (const release of this.#held) release();
    this.#held.clear();
  }

  /** Opens the health URL of a node created up (its port is fixed from then on). */
  async init(): Promise<void> {
    if (this.#up) await this.listener?.listen();
    else if (this.listener) {
      // take a port now so that the URL is known (and stable) before the node first comes up
      await this.listener.listen();
      await this.listener.close();
    }
  }

  /** The health answer. */
  health(): NodeHealth {
    const data = this.#data();
    const witness = [...data.witnesses.values()].find((w) => w.signing_key === this.key);
    return {
      head_block_number: data.globals.headBlockNumber,
      head_block_time: this.#shape.timeString(data.globals.time),
      producing: this.#up && witness !== undefined,
      key: this.key,
      witness: witness?.owner ?? null,
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#blackholed) {
      await new Promise<void>((resolve) => {
        this.#held.add(resolve);
        res.on('close', () => this.#held.delete(resolve));
      });
      req.socket.destroy();
      return;
    }
    let body: unknown;
    if (req.method === 'GET') body = this.health();
    else {
      const text = (await readBody(req, 64 * 1024)) ?? '';
      const parsed = parseBody(text);
      if ('response' in parsed) body = parsed.response;
      else {
        try {
          const frame = frameOf(parsed.requests[0]);
          if (frame.call.method !== 'condenser_api.get_dynamic_global_properties')
            throw new RpcFailure(RPC_METHOD_NOT_FOUND, `Could not find method ${frame.call.method}`);
          body = success(frame.id, legacyGlobals(this.#data(), this.#shape));
        } catch (error) {
          body = failure(null, error);
        }
      }
    }
    const json = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}
