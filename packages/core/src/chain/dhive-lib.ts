import { type BinaryToTextEncoding, createHash, getHashes } from 'node:crypto';
import Module, { createRequire } from 'node:module';
import type * as Dhive from '@hiveio/dhive';
// Loads nothing but dhive's version string; it marks where dhive is installed in a way bundlers follow (they rewrite
// static imports, not the `require` made below), and Node keeps its path in the CommonJS module cache.
import '@hiveio/dhive/lib/version.js';

const require = createRequire(import.meta.url);
let loaded: typeof Dhive | undefined;

/**
 * dhive, loaded on first use (serializing, hashing and signing transactions, reading keys), with two of its
 * dependencies replaced while it loads, for memory and start-up time (measured in docs/performance.md):
 *
 * - `cross-fetch` (node-fetch, whatwg-url, tr46's mapping table: about 5 MB resident and 50 ms) is required by dhive's
 *   `utils` at load time but called only inside `Client` requests; the trap's JSON-RPC transport is its own. dhive
 *   gets a stand-in whose `default` loads the real `cross-fetch` on its first call, so a program that also uses
 *   dhive's `Client` fetches exactly as before, it only loads `cross-fetch` then rather than at start-up.
 * - `ripemd160` (a JavaScript hash on readable-stream and some thirty small polyfill packages: about 4 MB and 70 ms)
 *   is used by dhive only as `new Ripemd160().update(bytes).digest()`, for key checksums. dhive gets the same
 *   hash from Node's own crypto (OpenSSL), where Node offers it; otherwise the package itself.
 *
 * Each stand-in is in the module cache only while dhive loads: any other `require` of those packages gets the real one.
 */
export function dhive(): typeof Dhive {
  if (loaded !== undefined) return loaded;
  const entry = dhiveEntry();
  const dhiveRequire = createRequire(entry);
  const seeded: Array<[string, NodeJS.Module]> = [];
  const seed = (name: string, exports: (path: string) => unknown) => {
    let path: string;
    try {
      path = dhiveRequire.resolve(name);
    } catch {
      return; // not resolvable from dhive (an unusual install): dhive's own require reports it
    }
    if (require.cache[path] !== undefined) return; // already loaded by someone: dhive shares it
    const standIn = new Module(path) as NodeJS.Module;
    standIn.filename = path;
    standIn.loaded = true;
    standIn.exports = exports(path);
    require.cache[path] = standIn;
    seeded.push([path, standIn]);
  };
  seed('cross-fetch', lazyFetch);
  if (getHashes().includes('ripemd160')) seed('ripemd160', () => NodeRipemd160);
  try {
    loaded = require(entry) as typeof Dhive;
  } finally {
    for (const [path, standIn] of seeded) if (require.cache[path] === standIn) delete require.cache[path];
  }
  return loaded;
}

/** dhive's Node entry point: beside the version module imported above, or else where this module resolves it. */
function dhiveEntry(): string {
  const anchor = Object.keys(require.cache).find((path) =>
    /[\\/]@hiveio[\\/]dhive[\\/]lib[\\/]version\.js$/.test(path),
  );
  return anchor === undefined ? require.resolve('@hiveio/dhive') : createRequire(anchor).resolve('./index-node.js');
}

/** `cross-fetch`'s exports, its `default` (the fetch function) requiring the real module when first called. */
function lazyFetch(path: string): unknown {
  let real: ((...args: unknown[]) => unknown) | undefined;
  const fetch = (...args: unknown[]) => {
    real ??= (require(path) as { default: (...args: unknown[]) => unknown }).default;
    return real(...args);
  };
  return { __esModule: true, default: fetch };
}

/** @internal The `ripemd160` package's interface as dhive uses it (`new Ripemd160().update(bytes).digest()`), on Node's hash. */
export class NodeRipemd160 {
  readonly #hash = createHash('ripemd160');

  update(data: Buffer | string, encoding?: BufferEncoding): this {
    if (typeof data === 'string') this.#hash.update(data, encoding ?? 'utf8');
    else this.#hash.update(data);
    return this;
  }

  digest(): Buffer;
  digest(encoding: BinaryToTextEncoding): string;
  digest(encoding?: BinaryToTextEncoding): Buffer | string {
    return encoding === undefined ? this.#hash.digest() : this.#hash.digest(encoding);
  }
}
