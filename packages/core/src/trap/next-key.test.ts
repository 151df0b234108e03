import { PrivateKey } from '@hiveio/dhive';
import { describe, expect, it } from 'vitest';
import type { KeyHealth } from './health.js';
import type { SigningPlan } from './key-plan.js';
import { NextKeyChooser, type NextKeyOptions } from './next-key.js';

const key = (seed: string) => PrivateKey.fromSeed(`next-key-test-${seed}`).createPublic('STM').toString();
const primary = key('primary');
const b1 = key('b1');
const b2 = key('b2');
const backupKeys = [primary, b1, b2];
const DAY = 86_400_000;
const NOW = 10 * DAY;

const health = (up: string[], down: string[] = []): KeyHealth => ({ healthy: new Set(up), unhealthy: new Set(down) });

/**
 * A chooser whose background answer is `recent` and whose answer right now is `fresh` (health URLs configured
 * unless `fresh` is absent); `freshProbes()` counts the probes made now.
 */
function chooser(options: {
  recent?: KeyHealth;
  fresh?: KeyHealth;
  failed?: Array<{ key: string; at: number }>;
  operation?: SigningPlan['operation'];
}) {
  let freshProbes = 0;
  const none = health([]);
  const rules: NextKeyOptions = {
    backupKeys,
    cooldownMs: DAY,
    failedKeys: () => options.failed ?? [],
    health: {
      configured: options.fresh !== undefined,
      recent: async () => options.recent ?? none,
      probe: async () => {
        freshProbes += 1;
        return options.fresh ?? none;
      },
    },
    planFor: (fromKey) => ({ operation: options.operation ?? 'witness_set_properties', signWith: fromKey }),
  };
  return { part: new NextKeyChooser(rules), freshProbes: () => freshProbes };
}

describe('next-key choice', () => {
  it('takes the next key forward on the background answer, probing nothing now', async () => {
    const { part, freshProbes } = chooser({ recent: health([]), fresh: health([]) });
    await expect(part.choose(primary, NOW)).resolves.toBe(b1);
    expect(freshProbes()).toBe(0);
  });

  it('skips a forward key whose node was seen down, and a key inside its cooldown', async () => {
    await expect(chooser({ recent: health([], [b1]), fresh: health([]) }).part.choose(primary, NOW)).resolves.toBe(b2);
    const failed = [{ key: b1, at: NOW - DAY + 1 }];
    await expect(chooser({ failed }).part.choose(primary, NOW)).resolves.toBe(b2);
  });

  it('wraps back to an earlier key only on a probe made now, never on the background answer', async () => {
    const stale = chooser({ recent: health([primary]), fresh: health([], [primary]) });
    await expect(stale.part.choose(b2, NOW)).resolves.toBeUndefined();
    expect(stale.freshProbes()).toBe(1);
    await expect(chooser({ recent: health([]), fresh: health([b1]) }).part.choose(b2, NOW)).resolves.toBe(b1);
  });

  it('lets a key whose node proves up right now out of its cooldown, where nothing else is left', async () => {
    const failed = [{ key: primary, at: NOW - 1000 }];
    const { part } = chooser({ recent: health([], [b1]), fresh: health([primary], [b1]), failed });
    await expect(part.choose(b2, NOW)).resolves.toBe(primary);
  });

  it('without health URLs: gives up on the configured rules alone, probing nothing', async () => {
    const failed = [{ key: primary, at: NOW - 1000 }];
    const { part, freshProbes } = chooser({ failed });
    await expect(part.choose(b2, NOW)).resolves.toBeUndefined();
    expect(freshProbes()).toBe(0);
  });

  it('on the active-key path takes the first backup after the on-chain key, whatever health and cooldowns say', async () => {
    const failed = [{ key: b1, at: NOW - 1000 }];
    const { part, freshProbes } = chooser({
      operation: 'witness_update',
      recent: health([b2], [b1]),
      fresh: health([b2], [b1]),
      failed,
    });
    await expect(part.choose(primary, NOW)).resolves.toBe(b1);
    expect(freshProbes()).toBe(0);
  });
});
