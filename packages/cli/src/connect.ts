/**
 * From settings to the core's parts: the chain client over the configured nodes, the key ring over the configured
 * keys, the state store. Core is imported here, lazily, so commands that do not talk to the chain never load it.
 */
import type { ChainClient, WifKeyRing } from '@witness-trap/core';
import type { Settings } from './config.js';
import { type LoadedKeys, loadKeys } from './key-files.js';
import { UsageError } from './usage-error.js';

/** The parts a chain command works with. */
export interface Connection {
  chain: ChainClient;
  keys: LoadedKeys;
  signer: WifKeyRing;
  close(): Promise<void>;
}

/** Reads the keys (refusing bad key files with exit 2) and opens the chain client. */
export async function connect(settings: Settings, options: { requireWitness?: boolean } = {}): Promise<Connection> {
  const { keys, problems } = loadKeys(settings);
  if (options.requireWitness !== false && !settings.witness)
    problems.push('--witness is required: pass --witness NAME');
  if (problems.length > 0) throw new UsageError('CONFIG_KEYS', problems);
  return open(settings, keys);
}

/** Opens the chain client and key ring for keys already loaded (so `check` can collect key problems itself). */
export async function open(settings: Settings, keys: LoadedKeys): Promise<Connection> {
  const core = await import('@witness-trap/core');
  const chain = core.dhiveChainClient({
    nodes: settings.nodes,
    chainId: settings.chainId,
    timeoutMs: settings.rpcTimeoutMs,
  });
  const signer = core.wifKeyRing({
    signingKeys: keys.signingKeys,
    ...(keys.activeKey === undefined ? {} : { activeKey: keys.activeKey }),
  });
  return { chain, keys, signer, close: async () => chain.close?.() };
}
