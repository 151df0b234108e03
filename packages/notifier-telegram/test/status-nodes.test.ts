import type { TrapStatus } from '@witness-trap/core';
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../src/remote-text.js';

const base: TrapStatus = {
  witness: 'alice',
  armed: true,
  running: true,
  mode: 'daemon',
  dryRun: false,
  missesInWindow: 0,
  threshold: 1,
  nodes: [
    {
      url: 'https://a.example',
      fresh: false,
      available: false,
      failures: 3,
      unavailableSince: Date.parse('2026-12-06T03:01:12Z'),
      unavailableReason: 'connection refused',
    },
    { url: 'https://b.example', fresh: true, available: true, failures: 0 },
  ],
  switches: 0,
  freshNodes: 1,
  availableNodes: 1,
  configuredNodes: 2,
  degraded: true,
  backupKeys: [],
};

describe('/status nodes line', () => {
  it('says how many RPC nodes are available and, degraded, which are not, since when and why', () => {
    expect(renderStatus(base).split('\n')).toContain(
      'RPC nodes: 1 of 2 available — DEGRADED: https://a.example unavailable since 03:01:12 UTC (connection refused)',
    );
    const healthy = { ...base, availableNodes: 2, degraded: false };
    expect(renderStatus(healthy).split('\n')).toContain('RPC nodes: 2 of 2 available');
  });
});
