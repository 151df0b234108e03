import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import type { Clock, Logger } from '../types.js';
import type { HealthProbe } from './health.js';
import { type ChainTimeline, Preemption } from './preemption.js';
import type { PreemptiveOptions } from './preemptive.js';

const key = (seed: string) => PrivateKey.fromSeed(`preemption-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const backup = key('backup');
const INTERVAL = 3000;
const POLL = 300;
const SLOT = { aslot: 42, time: 1_000_000 };
const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A host clock `offsetMs` ahead of chain time, moved only by the timeline's sleeps, and a probe whose answer per URL
 * is set by the test; every probe is recorded with its URL and the chain time it started at.
 */
function rig(preemptive: false | PreemptiveOptions | undefined, offsetMs = 0) {
  let hostNow = SLOT.time - 10 * INTERVAL + offsetMs;
  const up = new Map<string, boolean>();
  const probes: Array<{ url: string; at: number }> = [];
  const clock: Clock = {
    now: () => hostNow,
    sleep: async (ms) => {
      hostNow += ms;
    },
  };
  const timeline: ChainTimeline = {
    clockOffsetMs: offsetMs,
    sleepUntil: async (time) => {
      hostNow = Math.max(hostNow, time + offsetMs);
    },
  };
  const probe: HealthProbe = async (url) => {
    probes.push({ url, at: hostNow - offsetMs });
    return { up: up.get(url) ?? false };
  };
  const part = new Preemption({
    preemptive,
    urls: { [primary]: 'http://127.0.0.1:1/primary', [backup]: 'http://127.0.0.1:1/backup' },
    probe: () => probe,
    timing: () => ({ blockIntervalMs: INTERVAL, pollIntervalMs: POLL }),
    clock,
    log: QUIET,
  });
  return { part, timeline, up, probes };
}

describe('pre-emption', () => {
  it('is off without the option: no probe, no decision', async () => {
    for (const option of [false, undefined] as const) {
      const { part, timeline, probes } = rig(option);
      await expect(part.check(SLOT, primary, timeline)).resolves.toBeUndefined();
      expect(probes).toEqual([]);
    }
  });

  it('leaves a key without a health URL alone, and never probes another key for it', async () => {
    const { part, timeline, probes } = rig({});
    await expect(part.check(SLOT, key('unwatched'), timeline)).resolves.toBeUndefined();
    await expect(part.check(SLOT, undefined, timeline)).resolves.toBeUndefined();
    expect(probes).toEqual([]);
  });

  it('fires before the slot when the key on chain has its node dark for darkChecks probes in a row', async () => {
    const { part, timeline, up, probes } = rig({ darkChecks: 3 });
    up.set('http://127.0.0.1:1/backup', true); // the backup's node is up: it must not mask the primary's
    const fire = await part.check(SLOT, primary, timeline);
    expect(fire).toEqual({ aslot: SLOT.aslot, verdict: { dark: true, probes: 3 } });
    expect(new Set(probes.map((p) => p.url))).toEqual(new Set(['http://127.0.0.1:1/primary']));
    // Decided by leadSlots (1.5 blocks) before the slot, from probes that began watchSlots (4 blocks) before it.
    expect(probes[0]?.at).toBe(SLOT.time - 4 * INTERVAL);
    expect(probes.at(-1)?.at).toBeLessThanOrEqual(SLOT.time - 1.5 * INTERVAL - POLL);
  });

  it('does not fire for a node that stays up through the window', async () => {
    const { part, timeline, up, probes } = rig({});
    up.set('http://127.0.0.1:1/primary', true);
    await expect(part.check(SLOT, primary, timeline)).resolves.toBeUndefined();
    expect(probes.length).toBeGreaterThan(3);
  });

  it('keeps its window in chain time on a host clock that is off', async () => {
    const { part, timeline, probes } = rig({}, 5000);
    await expect(part.check(SLOT, primary, timeline)).resolves.toMatchObject({ aslot: SLOT.aslot });
    expect(probes[0]?.at).toBe(SLOT.time - 4 * INTERVAL);
  });
});
