import { describe, expect, it } from 'vitest';
import type { OutageLoad } from './outage-load.js';
import { outageSummaryRows, outageVerdict } from './outage-report.js';

const load = (over: Partial<OutageLoad> = {}): OutageLoad => ({
  nodes: 3,
  failing: 'all',
  fault: 'erroring',
  blocks: 42,
  blockIntervalMs: 3000,
  perBlockByNode: [0.64, 0.64, 0.64],
  perBlockBusiestNode: 0.64,
  peakPerBlockPerNode: 3,
  perBlockByMethod: { 'condenser_api.get_dynamic_global_properties': 1.93 },
  ...over,
});

describe('the read-outage verdict', () => {
  it('judges the peak calls in one block on one node against <= 3, not the mean: a storm around a slot fails', () => {
    expect(outageVerdict(load()).ok).toBe(true);
    // A mean well under 1 a block, but 4 calls to one node between two blocks: over the target.
    expect(outageVerdict(load({ peakPerBlockPerNode: 4, perBlockBusiestNode: 0.2 })).ok).toBe(false);
  });

  it('fails an outage in which no block or no call was counted (nothing measured)', () => {
    expect(outageVerdict(load({ blocks: 0, peakPerBlockPerNode: 0, perBlockBusiestNode: Number.NaN })).ok).toBe(false);
    const silent = { perBlockByNode: [0, 0, 0], perBlockBusiestNode: 0, peakPerBlockPerNode: 0, perBlockByMethod: {} };
    expect(outageVerdict(load(silent)).ok).toBe(false);
  });

  it('writes one summary row per outage, with its verdict', () => {
    const rows = outageSummaryRows([
      load(),
      load({ failing: 'one', fault: 'blackholed', peakPerBlockPerNode: 5 }),
      load({ nodes: 2, failing: 'one', fault: 'frozen', peakPerBlockPerNode: 2 }),
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(
      /the first of 2 nodes frozen \(a stale snapshot\) .* \| 2 \(0\.64\) \| \| <= 3 \| pass \|$/,
    );
    expect(rows[0]).toMatch(/all 3 nodes erroring .* \| 3 \(0\.64\) \| \| <= 3 \| pass \|$/);
    expect(rows[1]).toMatch(/the first of 3 nodes blackholed .* \| 5 \(0\.64\) \| \| <= 3 \| \*\*FAIL\*\* \|$/);
  });
});
