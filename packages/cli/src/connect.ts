/**
 * From settings to the core's parts: the chain client over the configured nodes, the key ring over the configured
 * keys, the state store. Core is imported here, lazily, so commands that do not talk to the chain never load it.
 */
import type { ChainClient, DhiveChainClientOptions, NodeStatus, WifKeyRing } from '@witness-trap/core';
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
  const chain = core.dhiveChainClient(clientOptions(settings, settings.nodes));
  const signer = core.wifKeyRing({
    signingKeys: keys.signingKeys,
    ...(keys.activeKey === undefined ? {} : { activeKey: keys.activeKey }),
  });
  return { chain, keys, signer, close: async () => chain.close?.() };
}

function clientOptions(settings: Settings, nodes: string[]): DhiveChainClientOptions {
  return {
    nodes,
    chainId: settings.chainId,
    ...(settings.rpcTimeoutMs === undefined ? {} : { timeoutMs: settings.rpcTimeoutMs }),
    // A client over one node (a probe of each) takes no floor above one.
    ...(settings.minNodes === undefined || nodes.length < settings.minNodes ? {} : { minNodes: settings.minNodes }),
    ...(settings.blockIntervalMs === undefined ? {} : { blockIntervalMs: settings.blockIntervalMs }),
  };
}

/**
 * Asks every configured node for its head, each on its own, so that `status` and `check` can tell the operator
 * about each one (a client over all of them asks only the best one for a plain read).
 */
export async function probeNodes(settings: Settings): Promise<NodeStatus[]> {
  const { dhiveChainClient } = await import('@witness-trap/core');
  return Promise.all(
    settings.nodes.map(async (url) => {
      const client = dhiveChainClient(clientOptions(settings, [url]));
      try {
        await client.getHead();
      } catch {
        // The failure is in the node's status (failures, lastError): that is what gets reported.
      }
      const [status] = client.nodes();
      await client.close();
      return status ?? { url, fresh: false, available: false, failures: 1 };
    }),
  );
}
