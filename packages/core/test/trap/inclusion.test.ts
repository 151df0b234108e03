import { describe, expect, it } from 'vitest';
import type { TrapEvents } from '../../src/events.js';
import { InclusionScan } from '../../src/trap/inclusion-scan.js';
import { FailoverTrap } from '../../src/trap.js';
import type { BlockHeaderInfo, SignedTransaction } from '../../src/types.js';
import { ScriptedChain } from './scripted-chain.js';
import { keySwitches, scenarios, stepUntil } from './sim-harness.js';

const start = scenarios();

describe('confirmation is inclusion in a block', () => {
  it('a switch a node holds in its pending state but never includes is not confirmed, and is re-signed after expiry', async () => {
    // hived answers witness reads with pending transactions applied: the new key shows before any block has it.
    const scenario = await start({ readsIncludePending: true });
    const { sim, witness, backupKeys } = scenario;
    const trap = new FailoverTrap(scenario.trapOptions({ maxAttempts: 4, confirmTimeoutMs: 9000 }));
    const confirmed: Array<TrapEvents['confirmed']> = [];
    const txIds: string[] = [];
    trap.on('confirmed', (e) => confirmed.push(e));
    trap.on('broadcast', (e) => {
      if (!txIds.includes(e.txId)) txIds.push(e.txId);
    });
    await trap.arm();
    const withheld = await sim.injectFault({ kind: 'withhold-broadcasts' });
    await sim.stopNode(witness.signingKey);
    const run = trap.run();
    let shownBeforeIncluded = false;
    for (let i = 0; i < 80 && txIds.length < 2; i++) {
      await sim.advanceSlots(1);
      const read = (await scenario.chain.getWitness(witness.name)).value?.signingKey;
      if (read === backupKeys[0] && sim.chain.witness(witness.name)?.signing_key === witness.signingKey) {
        shownBeforeIncluded = true;
      }
    }
    // The node showed the new key while no block held it, yet nothing was reported confirmed; it was re-signed.
    expect(shownBeforeIncluded).toBe(true);
    expect(txIds.length).toBeGreaterThanOrEqual(2);
    expect(confirmed).toEqual([]);
    expect(keySwitches(sim, witness.name)).toEqual([]);
    // The node relays again: a later attempt lands, and the confirmation names the block that included it.
    await withheld.remove();
    const result = await stepUntil(sim, run, 80);
    expect(result).toMatchObject({ settled: true, value: { status: 'confirmed' } });
    const [included] = keySwitches(sim, witness.name);
    expect(included).toBeDefined();
    expect(confirmed).toEqual([expect.objectContaining({ txId: included?.id, blockNum: included?.blockNum })]);
    expect(sim.chain.witness(witness.name)?.signing_key).toBe(backupKeys[0]);
  });
});

/** A scripted chain whose header reads of chosen blocks wait for a gate, honouring the caller's signal as dhive does. */
class GatedChain extends ScriptedChain {
  readonly gates = new Map<number, Promise<void>>();
  override getBlockHeader(blockNum: number, options: { signal?: AbortSignal } = {}) {
    const gate = this.gates.get(blockNum);
    this.gates.delete(blockNum);
    if (gate === undefined) return super.getBlockHeader(blockNum);
    return new Promise<Awaited<ReturnType<ScriptedChain['getBlockHeader']>>>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
      void gate.then(() => resolve(super.getBlockHeader(blockNum)));
    });
  }
}

describe('the inclusion scan', () => {
  it('a scan given up on never moves the cursor: the next one reads every block and finds the transaction', async () => {
    const T = 1_800_000_000_000;
    const head = {
      headBlockNumber: 105,
      headBlockId: '0'.repeat(40),
      headBlockTime: T,
      currentAslot: 1005,
      currentWitness: 'bob',
      lastIrreversibleBlockNum: 90,
    };
    const chain = new GatedChain({
      head,
      witness: {
        owner: 'alice',
        url: 'https://example.org',
        signingKey: 'STMkey',
        totalMissed: 0,
        lastAslot: 990,
        lastConfirmedBlockNum: 90,
        props: { accountCreationFee: '3.000 HIVE', maximumBlockSize: 65536, hbdInterestRate: 0 },
      },
      schedule: { currentShuffledWitnesses: [], numScheduledWitnesses: 21, nextShuffleBlockNum: 126 },
    });
    for (let n = 101; n <= 105; n++) {
      const header: BlockHeaderInfo = { number: n, previous: '', timestamp: T - (105 - n) * 3000, witness: 'bob' };
      chain.headers.set(n, n === 103 ? { ...header, transactionIds: ['tx-103'] } : { ...header, transactionIds: [] });
    }
    const tx: SignedTransaction = {
      ref_block_num: 100,
      ref_block_prefix: 0,
      expiration: new Date(T + 60_000).toISOString().slice(0, 19),
      operations: [],
      extensions: [],
      signatures: [],
    };
    let openFirst: () => void = () => undefined;
    let openSecond: () => void = () => undefined;
    chain.gates.set(
      101,
      new Promise((r) => {
        openFirst = r;
      }),
    );
    const scan = new InclusionScan(chain, tx, 'tx-103');
    // The first look hangs on block 101 and is given up (its bound passed): its signal aborts.
    const givenUp = new AbortController();
    const first = scan.upTo(105, givenUp.signal).catch(() => 'given up');
    givenUp.abort(new Error('timed out'));
    // The next look reads 101 at once and hangs on 102 while the first one's read of 101 answers late.
    chain.gates.set(
      102,
      new Promise((r) => {
        openSecond = r;
      }),
    );
    const second = scan.upTo(105, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 10));
    openFirst();
    await new Promise((r) => setTimeout(r, 10));
    openSecond();
    expect(await second).toBe(103);
    expect(await first).toBe('given up');
  });
});
