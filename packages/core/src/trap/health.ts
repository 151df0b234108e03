import type { PublicKeyString } from '../types.js';
import { withIoTimeout } from './io-timeout.js';

/** What one look at a node's health URL found. */
export interface NodeHealth {
  /** The URL answered with a 2xx status in time. */
  up: boolean;
  /** The node's head block number, where its answer gave one. */
  headBlockNumber?: number;
}

/**
 * Looks at one health URL. The default ({@link httpHealthProbe}) does an HTTP GET; pass your own to probe another
 * way (a TCP connect, a hived `get_dynamic_global_properties` on the node itself).
 */
export type HealthProbe = (url: string, signal: AbortSignal) => Promise<NodeHealth>;

/** Reads a head block number from a health answer, under the names nodes and sidecars commonly use. */
function headFrom(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const nested = typeof record.result === 'object' && record.result !== null ? headFrom(record.result) : undefined;
  for (const name of ['head_block_number', 'headBlockNumber', 'head_block_num', 'head']) {
    const value = record[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return nested;
}

/**
 * The default probe: `GET url`; up on a 2xx answer; the head block number is read from a JSON body where there is
 * one (`head_block_number`, `headBlockNumber`, also under `result`).
 */
export const httpHealthProbe: HealthProbe = async (url, signal) => {
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) return { up: false };
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { up: true };
    }
    const headBlockNumber = headFrom(body);
    return headBlockNumber === undefined ? { up: true } : { up: true, headBlockNumber };
  } catch {
    return { up: false };
  }
};

/** Options for {@link unhealthyKeys} (and, in part, {@link probeOnce}). */
export interface ProbeHealthOptions {
  /** Health URL per public key; keys without one are taken as healthy (nothing to say otherwise). */
  urls: Readonly<Record<PublicKeyString, string>>;
  probe: HealthProbe;
  /** Per probe, real time. */
  timeoutMs: number;
  /** Our head (from a decisive read): a node further behind than `maxLagBlocks` is out of sync. */
  headBlockNumber?: number;
  maxLagBlocks: number;
}

/** What one round of probes found: keys with a health URL end up in exactly one of the two sets. */
export interface KeyHealth {
  /** Keys whose node is down or out of sync. */
  unhealthy: Set<PublicKeyString>;
  /** Keys whose node answered its health URL up and in sync: positive proof, unlike "no URL to say otherwise". */
  healthy: Set<PublicKeyString>;
}

/** Probes the health URL of each of `keys` that has one. Probes run concurrently, each under `timeoutMs`. */
export async function probeKeys(keys: readonly PublicKeyString[], options: ProbeHealthOptions): Promise<KeyHealth> {
  const result: KeyHealth = { unhealthy: new Set(), healthy: new Set() };
  await Promise.all(
    keys.map(async (key) => {
      const url = options.urls[key];
      if (url === undefined) return;
      const health = await probeOnce(url, options);
      (isHealthy(health, options) ? result.healthy : result.unhealthy).add(key);
    }),
  );
  return result;
}

/** Which of `keys` have a node that is down or out of sync. Probes run concurrently, each under `timeoutMs`. */
export async function unhealthyKeys(
  keys: readonly PublicKeyString[],
  options: ProbeHealthOptions,
): Promise<Set<PublicKeyString>> {
  return (await probeKeys(keys, options)).unhealthy;
}

/** Whether one probe's answer counts as healthy. */
export function isHealthy(health: NodeHealth, options: Pick<ProbeHealthOptions, 'headBlockNumber' | 'maxLagBlocks'>) {
  if (!health.up) return false;
  if (health.headBlockNumber === undefined || options.headBlockNumber === undefined) return true;
  return options.headBlockNumber - health.headBlockNumber <= options.maxLagBlocks;
}

/** One probe of one URL, given up (as down) after `timeoutMs` of real time. */
export function probeOnce(url: string, options: Pick<ProbeHealthOptions, 'probe' | 'timeoutMs'>): Promise<NodeHealth> {
  return withIoTimeout(
    (signal) => options.probe(url, signal).catch((): NodeHealth => ({ up: false })),
    options.timeoutMs,
    (): NodeHealth => ({ up: false }),
  );
}
