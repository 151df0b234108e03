/**
 * Which chain the commands that sign (or judge a setup that signs) work for. A transaction signed for one chain id is
 * invalid on every other, and hived refuses it with a missing-authority error that names no chain: so the chain id
 * the nodes report is compared with `--chain-id` before anything is signed. A mismatch is refused with both ids;
 * where `--chain-id` is not set, the nodes' id is used when every node that answered agrees.
 */
import type { Settings } from './config.js';
import { type NodeProbe, probeAll } from './node-probe.js';
import type { Output } from './output.js';
import { safeUrl } from './safe-url.js';
import { UsageError } from './usage-error.js';

/** Chain ids an operator may recognise, by name (protocol.md's table). */
const KNOWN_CHAINS: Record<string, string> = {
  beeab0de00000000000000000000000000000000000000000000000000000000: 'Hive mainnet',
  '4200000000000000000000000000000000000000000000000000000000000000': 'the Hive mirrornet',
  '18dcf0a285365fc58b71f18b3d3fec954aa0c141c44e4e5cb4cf777b9eab274e': 'the Hive testnet',
};

/** A chain id with its name where it has one: `beeab0de00... (Hive mainnet)`. */
export function describeChainId(chainId: string): string {
  const name = KNOWN_CHAINS[chainId];
  return name ? `${chainId} (${name})` : chainId;
}

/** The chain id to sign for, and what stands in the way of signing at all. */
export interface ChainIdVerdict {
  /** The id to sign for: `--chain-id` where set, else the nodes' where they agree, else the default (mainnet). */
  chainId: string;
  /** Where it came from, for the log line. */
  source: 'option' | 'nodes' | 'default';
  /** Reasons to refuse (exit 2, nothing broadcast), each naming both ids. */
  problems: string[];
  /** Worth saying: no node told its chain id. */
  notes: string[];
}

/** Compares the nodes' chain ids with `--chain-id` (or with each other where it is unset). Pure. */
export function chainIdVerdict(settings: Pick<Settings, 'chainId' | 'sources'>, probes: NodeProbe[]): ChainIdVerdict {
  const told = probes.filter((probe): probe is NodeProbe & { chainId: string } => probe.chainId !== undefined);
  const silent = probes.filter((probe) => probe.chainId === undefined).map((probe) => safeUrl(probe.url));
  const notes =
    told.length === 0
      ? [`no node said which chain it is on (${silent.join(', ')}): signing for ${describeChainId(settings.chainId)}`]
      : [];
  const label = settings.sources['chain-id'];
  if (label !== undefined) {
    const problems = told
      .filter((probe) => probe.chainId !== settings.chainId)
      .map(
        (probe) =>
          `node ${safeUrl(probe.url)} is on chain ${describeChainId(probe.chainId)}, but ${label} is ` +
          `${describeChainId(settings.chainId)}: what is signed for one chain is refused by the other ` +
          '(fix the chain id, or remove the node)',
      );
    return { chainId: settings.chainId, source: 'option', problems, notes };
  }
  const ids = [...new Set(told.map((probe) => probe.chainId))];
  if (ids.length === 1 && ids[0] !== undefined) return { chainId: ids[0], source: 'nodes', problems: [], notes };
  if (ids.length === 0) return { chainId: settings.chainId, source: 'default', problems: [], notes };
  const byId = ids.map(
    (id) =>
      `${told
        .filter((probe) => probe.chainId === id)
        .map((probe) => safeUrl(probe.url))
        .join(', ')} on ${describeChainId(id)}`,
  );
  return {
    chainId: settings.chainId,
    source: 'default',
    problems: [
      `the nodes are on different chains: ${byId.join('; ')}: remove the wrong --node, or pass --chain-id HEX`,
    ],
    notes: [],
  };
}

/**
 * For `run`, `switch`, `disable`, `enable`, `drill`: probes the nodes, logs the chain id it will sign for, and returns
 * the settings with it. Throws `UsageError` (exit 2, before anything is signed) on a mismatch.
 */
export async function agreeOnChainId(settings: Settings, output: Output, signal?: AbortSignal): Promise<Settings> {
  const probes = await Promise.all(probeAll(settings, signal, { chainIdOnly: true }));
  for (const probe of probes.filter((each) => each.chainId === undefined)) {
    output.log(
      'warn',
      'chain-id',
      `node ${safeUrl(probe.url)} did not say which chain it is on (${probe.error ?? 'no answer'})`,
      {
        node: probe.url,
        elapsedMs: probe.elapsedMs,
      },
    );
  }
  const verdict = chainIdVerdict(settings, probes);
  if (verdict.problems.length > 0) throw new UsageError('CONFIG_CHAIN_ID', verdict.problems);
  for (const note of verdict.notes) output.log('warn', 'chain-id', note, { chainId: verdict.chainId });
  if (verdict.source === 'nodes') {
    output.log('info', 'chain-id', `chain id ${describeChainId(verdict.chainId)}, as every node that answered says`, {
      chainId: verdict.chainId,
      source: verdict.source,
    });
  }
  return { ...settings, chainId: verdict.chainId };
}
