/**
 * The switch's first attempt reads what it needs (the witness, the head, the TaPoS anchor) in ONE round trip to the
 * nodes, not three in a row: with a node that answers 0.6 block late, three sequential decisive reads cost almost
 * two blocks before anything is sent (issue 19, "Done when": broadcast within 4 blocks of the miss with such a node).
 * A dry run stops right after signing, so its wall time is the preparation alone.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/state/memory-state-store.js';
import { StateKeeper } from '../../src/trap/state-keeper.js';
import { runSwitch } from '../../src/trap/switch.js';
import type { PublicKeyString } from '../../src/types.js';
import { scenarios } from './sim-harness.js';

const start = scenarios();

/** Real latency of every call to the (only) node: the reads' cost is counted in these. */
const LATENCY_MS = 400;

describe('switch preparation', () => {
  it('reads the witness, the head and the hinted TaPoS anchor at once: one round trip, the anchor the hinted one', async () => {
    // Hostile defaults; one endpoint, so that every decisive read waits for the slow node.
    const { sim, chain, witness, trapOptions } = await start();
    // Past two thirds of a round: an irreversible block to anchor on.
    await sim.advanceSlots(30);
    const { value: seen } = await chain.getHead({ decisive: true });
    expect(seen.lastIrreversibleBlockNum).toBeGreaterThan(0);
    await sim.injectFault({ kind: 'latency', ms: LATENCY_MS });
    const options = trapOptions();
    const state = new StateKeeper(memoryStateStore(), witness.name, () => undefined);
    const errors: unknown[] = [];
    const began = performance.now();
    const outcome = await runSwitch(
      {
        chain,
        signer: options.signer,
        witness: witness.name,
        clock: sim.clock,
        blockIntervalMs: sim.blockIntervalMs,
        pollIntervalMs: sim.blockIntervalMs / 10,
        expiresInMs: 10 * sim.blockIntervalMs,
        broadcastTimeoutMs: 2 * sim.blockIntervalMs,
        signTimeoutMs: 5000,
        ioTimeoutMs: 10_000,
        maxAttempts: 1,
        dryRun: true,
        emit: (name, payload) => {
          if (name === 'error') errors.push(payload);
        },
        notify: () => undefined,
        persist: state,
      },
      {
        fromKey: witness.signingKey as PublicKeyString,
        toKey: (options.backupKeys?.[0] ?? '') as PublicKeyString,
        reason: 'manual',
        plan: { operation: 'witness_set_properties', signWith: witness.signingKey as PublicKeyString },
        anchorHint: seen,
      },
    );
    const tookMs = performance.now() - began;
    expect(outcome.status, JSON.stringify(errors)).toBe('dry-run');
    if (outcome.status !== 'dry-run') return;
    expect(outcome.tx.ref_block_num).toBe(seen.lastIrreversibleBlockNum & 0xffff);
    // Three reads in a row take 3 x 400 ms at least; at once, one (each decisive read may ask a head beside it,
    // in parallel too). Bounded well below two round trips.
    expect(tookMs).toBeLessThan(2 * LATENCY_MS);
  }, 30_000);
});
