/**
 * A rehearsal (`demo`, `drill`) always ends: it is an operator's first command, and a chain that stops moving (or a
 * machine too busy to keep up) must give a plain failure, not a process that waits forever.
 */
import { wifKeyRing } from '@witness-trap/core';
import type { Simnet } from '@witness-trap/simnet';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/output.js';
import { rehearsalDeadlineMs, rehearse } from '../src/rehearsal.js';

const quiet = { isTTY: false, write: () => true };

describe('rehearse', () => {
  it('ends not-confirmed at its deadline when the chain freezes after the kill (the miss never shows)', async () => {
    let chain: Simnet['chain'] | undefined;
    let witness = '';
    const result = await rehearse({
      output: new Output({ stdout: quiet, stderr: quiet, json: true }),
      signal: new AbortController().signal,
      blockIntervalMs: 100,
      backupNodes: 1,
      deadlineMs: 3000,
      setup: (me) => ({
        signer: wifKeyRing({ signingKeys: [me.privateKey] }),
        backupKeys: [me.backupKeys[0]?.publicKey ?? ''],
        notifiers: [],
        keyNames: new Map(),
      }),
      async beforeKill(me, sim) {
        chain = sim.chain;
        witness = me.name;
        // Every endpoint serves the state of now from here on: the dead node's slot never shows as missed.
        await sim.injectFault({ kind: 'frozen-head' });
      },
    });
    expect(result).toEqual({ status: 'not-confirmed', outcome: 'no confirmed switch within 3 s of the kill' });
    expect(chain?.keySwitches(witness)).toEqual([]);
  });

  it('gives the trap two rounds to the slot, three attempts, and slack for a busy machine', () => {
    expect(rehearsalDeadlineMs(100)).toBe(27_600);
    expect(rehearsalDeadlineMs(3000)).toBeGreaterThan(6 * 63 * 1000);
  });
});
