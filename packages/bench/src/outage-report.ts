/**
 * The read-outage rows of docs/performance.md (issue 19): calls per block on the busiest node while one node or all
 * fail every read. Judged on the peak (the most calls one node got between two blocks), unrounded, against
 * `callsPerBlockPerNodeInOutage`; the mean over the outage is shown beside it.
 */
import type { OutageLoad } from './outage-load.js';
import { judge, TARGETS, targetText, type Verdict } from './targets.js';

const n = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/**
 * The verdict on one outage: its peak calls per block on one node. An outage with no block counted, or no call at
 * all, fails: nothing was measured (a window that held no slot of the witness, or a watcher that was not watching).
 */
export function outageVerdict(load: OutageLoad): Verdict {
  const measured = load.blocks > 0 && Object.values(load.perBlockByMethod).some((calls) => calls > 0);
  return judge(TARGETS.callsPerBlockPerNodeInOutage, measured ? load.peakPerBlockPerNode : Number.NaN);
}

/** What failed, in words: `the first of 3 nodes erroring`, `all 2 nodes blackholed`. */
export function outageLabel(load: OutageLoad): string {
  const which = load.failing === 'all' ? `all ${load.nodes} nodes` : `the first of ${load.nodes} nodes`;
  const how = {
    erroring: 'erroring ("Unable to acquire database lock")',
    blackholed: 'blackholed',
    frozen: 'frozen (a stale snapshot)',
  }[load.fault];
  return `${which} ${how}`;
}

/** The summary table's rows (item 4). */
export function outageSummaryRows(loads: readonly OutageLoad[]): string[] {
  return loads.map(
    (load) =>
      `| 4 | RPC calls per block on the busiest node during a read outage, ${outageLabel(load)} (peak in one block; mean over ${load.blocks} blocks) | ` +
      `${load.peakPerBlockPerNode} (${n(load.perBlockBusiestNode)}) | | ${targetText(TARGETS.callsPerBlockPerNodeInOutage)} | ${outageVerdict(load).text} |`,
  );
}

/** The section's paragraph and table. */
export function outageSection(loads: readonly OutageLoad[]): string[] {
  const interval = loads[0]?.blockIntervalMs ?? Number.NaN;
  const lines = [
    `During a read outage: the same counting proxies, on the real clock at ${interval / 1000} s blocks (the ` +
      "client's 5 s timeout spans more than a block, as on Hive), the witness producing every slot; after 7 healthy " +
      'blocks the first node, or every node, starts failing every call, and the calls each node gets are counted ' +
      'between every two blocks from then on (the onset included). The peak, the most calls one node got between ' +
      'two blocks, is judged; the mean shows how quiet the watcher is between the slots it checks.',
    '',
    '| outage | blocks | peak calls in one block, busiest node | mean calls per block, each node | calls per block by method (all nodes) | target | |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const load of loads) {
    const methods = Object.entries(load.perBlockByMethod)
      .map(([method, k]) => `\`${method}\` ${n(k)}`)
      .join(', ');
    lines.push(
      `| ${outageLabel(load)} | ${load.blocks} | ${load.peakPerBlockPerNode} | ${load.perBlockByNode.map((x) => n(x)).join(' / ')} | ` +
        `${methods || 'none'} | ${targetText(TARGETS.callsPerBlockPerNodeInOutage)} | ${outageVerdict(load).text} |`,
    );
  }
  return lines;
}
