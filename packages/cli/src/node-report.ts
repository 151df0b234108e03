/**
 * What `check` says about the RPC nodes: one line per node as its probe comes back, then what the trap would do with
 * the nodes that answered. The trap decides (a miss, the key on chain) only when a strict majority of the CONFIGURED
 * nodes agree (core's `quorumOf`, docs/rpc-nodes.md): a dead node never shrinks that quorum, so with one of two nodes
 * dead the trap sees a miss and cannot act on it. `check` says so, rather than passing a setup that cannot fail over.
 */
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

/** The number of agreeing fresh nodes a decision needs: a strict majority of the distinct configured nodes. */
export function quorumNeeded(configured: number): number {
  return Math.floor(Math.max(1, configured) / 2) + 1;
}

/** What the trap would do with the nodes that answered: a line to log, and the problem where it could not decide. */
export function nodesPlan(probes: readonly NodeProbe[]): { line: string; problem?: string } {
  const configured = new Set(probes.map((probe) => probe.url)).size;
  const needed = quorumNeeded(configured);
  const up = probes.filter((probe) => probe.reachable).map((probe) => safeUrl(probe.url));
  const down = probes.filter((probe) => !probe.reachable).map((probe) => safeUrl(probe.url));
  const rule = `the trap decides when ${needed} of the ${configured} configured node${configured === 1 ? ' agrees' : 's agree'}`;
  if (up.length < needed) {
    const problem =
      `${up.length} of ${configured} node${configured === 1 ? '' : 's'} answered and ${rule}: right now it would see ` +
      `a miss and could not act on it; fix or remove ${down.join(', ')}, or add nodes (docs/rpc-nodes.md)`;
    return { line: problem, problem };
  }
  const line = `${rule}; ${up.length} answered (${up.join(', ')}): it can decide`;
  if (down.length === 0) return { line };
  return { line: `${line}; ${down.join(', ')} did not answer: each read waits up to the RPC timeout for it` };
}
