/**
 * What `check` says about the RPC nodes: one line per node as its probe comes back, then what the trap would do with
 * the nodes that answered, under the availability rule (docs/rpc-nodes.md; core's `quorumOf` and
 * `nodeAvailability`): the trap decides on the AVAILABLE nodes (a strict majority of them must agree, and at least
 * `--min-nodes`); an unavailable node never blocks a decision. Fewer reachable nodes than `--min-nodes` is a problem
 * (the trap would wait); fewer than a majority of the configured ones is a warning: the trap runs DEGRADED.
 */
import { nodeAvailability, quorumOf } from '@witness-trap/core';
import { describeChainId } from './chain-id.js';
import type { NodeProbe } from './node-probe.js';
import { safeUrl } from './safe-url.js';

/** One node's probe as a line for the operator: reachable, chain id, head age, the trap's methods. */
export function describeProbe(probe: NodeProbe): string {
  const url = safeUrl(probe.url);
  if (!probe.reachable) return `node ${url}: NOT REACHABLE (${probe.error ?? 'no answer'})`;
  const parts = [
    probe.chainId ? `chain ${describeChainId(probe.chainId)}` : 'chain id not told',
    probe.headAgeMs === undefined
      ? `head not read${probe.error ? ` (${probe.error})` : ''}`
      : `head #${probe.headBlockNumber} ${(probe.headAgeMs / 1000).toFixed(1)} s old`,
    probe.missingMethods === undefined
      ? 'methods not listed'
      : probe.missingMethods.length === 0
        ? 'serves every method the trap calls'
        : `MISSING ${probe.missingMethods.join(', ')} (enable that plugin)`,
  ];
  return `node ${url}: reachable, ${parts.join(', ')}`;
}

/**
 * What the trap would do with the nodes that answered: a line to log, and where it falls short either the problem
 * (it would wait: fewer reachable nodes than `minNodes`) or a warning (it would run DEGRADED).
 * @param minNodes - `--min-nodes`: at least this many available nodes must agree @default 1
 */
export function nodesPlan(
  probes: readonly NodeProbe[],
  minNodes = 1,
): { line: string; problem?: string; warning?: string } {
  const byUrl = new Map(probes.map((probe) => [probe.url, probe]));
  const distinct = [...byUrl.values()];
  const { available, configured, degraded } = nodeAvailability(
    distinct.map((probe) => ({ fresh: probe.reachable, available: probe.reachable })),
  );
  const up = distinct.filter((probe) => probe.reachable).map((probe) => safeUrl(probe.url));
  const down = distinct.filter((probe) => !probe.reachable).map((probe) => safeUrl(probe.url));
  const of = `${available} of ${configured} node${configured === 1 ? '' : 's'} answered`;
  const floor = Math.max(1, minNodes);
  if (available < floor) {
    const problem =
      `${of}, and the trap decides only when at least ${floor} available node${floor === 1 ? '' : 's'} agree` +
      `${minNodes > 1 ? ` (--min-nodes ${minNodes})` : ''}: right now it would see a miss and WAIT, acting on ` +
      `nothing; fix or remove ${down.join(', ') || 'the nodes'}${minNodes > 1 ? ', lower --min-nodes' : ''}, or add ` +
      'nodes (docs/rpc-nodes.md)';
    return { line: problem, problem };
  }
  const needed = quorumOf(available, minNodes);
  const decides = `${of} (${up.join(', ')}): the trap decides when ${needed} of the ${available} available agree`;
  if (degraded) {
    const warning =
      `DEGRADED: ${of}, fewer than a majority of the ${configured} configured: the trap would run DEGRADED, ` +
      `deciding on the ${available} it has (a miss must hold on two reads a block apart); ${down.join(', ')} did ` +
      'not answer: fix it, or add nodes (docs/rpc-nodes.md)';
    return { line: `${decides}; ${down.join(', ')} did not answer: DEGRADED`, warning };
  }
  if (down.length === 0) return { line: decides };
  return { line: `${decides}; ${down.join(', ')} did not answer: it decides nothing and holds nothing up` };
}
