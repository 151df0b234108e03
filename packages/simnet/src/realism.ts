import type { ProxyOptions } from './endpoint.js';
import type { SimnetOptions } from './types.js';

/**
 * The simnet's defaults are as unkind as Hive's public network (see the README, "Hostile by default"). A test that
 * needs a tidy chain says so by name: `startSimnet({ ...TIDY_CHAIN, ... })`, or sets one option to its tidy value.
 *
 * - `readsIncludePending: false`: reads show only what blocks applied
 * - `propagationDelayMs: 0`: one mempool for every endpoint
 * - `proxy: false`: no caching, fan-out proxy in front of the endpoints
 * - `microForkRate: 0`: no micro-forks
 * - `deadNodes: 'refuse'`: a stopped node's health URL refuses connections at once
 */
export const TIDY_CHAIN = {
  realism: 'tidy',
  readsIncludePending: false,
  propagationDelayMs: 0,
  proxy: false,
  microForkRate: 0,
  deadNodes: 'refuse',
} as const satisfies Partial<SimnetOptions>;

/** What the realism options default to when `SimnetOptions.realism` is not given. */
const DEFAULT_BASELINE: 'hostile' | 'tidy' = 'hostile';

/** The realism settings in force, every one resolved. */
export interface Realism {
  readsIncludePending: boolean;
  propagationDelayMs: number;
  proxy: ProxyOptions | false;
  microForkRate: number;
  deadNodes: 'blackhole' | 'refuse';
}

/** Resolves the realism options (hostile defaults) or throws `error(reason)` for a bad one. */
export function realismOf(options: SimnetOptions, blockIntervalMs: number, error: (reason: string) => Error): Realism {
  const baseline = options.realism ?? DEFAULT_BASELINE;
  if (baseline !== 'hostile' && baseline !== 'tidy') throw error("realism must be 'hostile' or 'tidy'");
  const hostile = baseline === 'hostile';
  const reads = options.readsIncludePending ?? hostile;
  if (typeof reads !== 'boolean') throw error('readsIncludePending must be true or false');
  const delay = options.propagationDelayMs ?? (hostile ? Math.round(blockIntervalMs / 12) : 0);
  if (!wholeIn(delay, 0, 600_000)) throw error('propagationDelayMs must be a whole number of ms from 0 to 600000');
  const rate = options.microForkRate ?? (hostile ? 0.005 : 0);
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 0.5))
    throw error('microForkRate must be a number from 0 to 0.5 (the chance per block)');
  const dead = options.deadNodes ?? (hostile ? 'blackhole' : 'refuse');
  if (dead !== 'blackhole' && dead !== 'refuse') throw error("deadNodes must be 'blackhole' or 'refuse'");
  return {
    readsIncludePending: reads,
    propagationDelayMs: delay,
    proxy: proxyOf(options.proxy ?? (hostile ? undefined : false), blockIntervalMs, error),
    microForkRate: rate,
    deadNodes: dead,
  };
}

function proxyOf(
  value: SimnetOptions['proxy'],
  blockIntervalMs: number,
  error: (reason: string) => Error,
): ProxyOptions | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw error('proxy must be false or an object { cacheMs, blockCacheMs, backends, backendLagBlocks }');
  const given = (value ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(given).filter(
    (k) => !['cacheMs', 'blockCacheMs', 'backends', 'backendLagBlocks'].includes(k),
  );
  if (unknown.length > 0) throw error(`proxy: unknown option(s) ${unknown.join(', ')}`);
  const proxy: ProxyOptions = {
    cacheMs: (given.cacheMs as number | undefined) ?? Math.round(blockIntervalMs / 3),
    blockCacheMs: (given.blockCacheMs as number | undefined) ?? 3 * blockIntervalMs,
    backends: (given.backends as number | undefined) ?? 2,
    backendLagBlocks: (given.backendLagBlocks as number | undefined) ?? 1,
  };
  if (!wholeIn(proxy.cacheMs, 0, 600_000)) throw error('proxy.cacheMs must be a whole number of ms from 0 to 600000');
  if (!wholeIn(proxy.blockCacheMs, 0, 600_000))
    throw error('proxy.blockCacheMs must be a whole number of ms from 0 to 600000');
  if (!wholeIn(proxy.backends, 1, 16)) throw error('proxy.backends must be from 1 to 16');
  if (!wholeIn(proxy.backendLagBlocks, 0, 10)) throw error('proxy.backendLagBlocks must be from 0 to 10');
  return proxy;
}

function wholeIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
