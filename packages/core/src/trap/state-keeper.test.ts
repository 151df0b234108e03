import { describe, expect, it } from 'vitest';
import { ConfigError, StateError } from '../errors.js';
import { memoryStateStore } from '../state/memory-state-store.js';
import type { StateStore, TrapState } from '../types.js';
import { StateKeeper } from './state-keeper.js';

describe('StateKeeper', () => {
  it('writes changes in order, so an older state never overwrites a newer one', async () => {
    const saves: TrapState[] = [];
    let release: (() => void) | undefined;
    const slowFirst: StateStore = {
      load: async () => undefined,
      save: async (state) => {
        if (saves.length === 0) await new Promise<void>((r) => (release = r));
        saves.push(state);
      },
    };
    const keeper = new StateKeeper(slowFirst, 'alice', () => undefined);
    const first = keeper.armed(1, 10);
    const second = keeper.keyFailed('STMkey', 2);
    await new Promise((r) => setTimeout(r, 5));
    release?.();
    await Promise.all([first, second]);
    expect(saves.map((s) => s.failedKeys.length)).toEqual([0, 1]);
  });

  it('ignores, and reports, state saved for another witness', async () => {
    const reported: string[] = [];
    const store = memoryStateStore({ version: 1, witness: 'bob', history: [], failedKeys: [{ key: 'K', at: 1 }] });
    const keeper = new StateKeeper(store, 'alice', (e) => reported.push(e.code));
    expect(await keeper.load()).toMatchObject({ witness: 'alice', failedKeys: [] });
    expect(reported).toEqual(['STATE_OTHER_WITNESS']);
  });

  it('refuses a saved state that does not parse, and writes nothing over it afterwards', async () => {
    let saves = 0;
    const corrupt: StateStore = {
      load: async () => {
        throw new StateError('STATE_CORRUPT', 'the state in /var/lib/wt/alice.json is corrupt: pending', {
          details: { source: '/var/lib/wt/alice.json', field: 'pending' },
        });
      },
      save: async () => {
        saves++;
      },
    };
    const reported: string[] = [];
    const keeper = new StateKeeper(corrupt, 'alice', (e) => reported.push(e.code));
    const refusal = await keeper.load().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal).toMatchObject({ code: 'CONFIG_STATE_CORRUPT', details: { path: '/var/lib/wt/alice.json' } });
    expect((refusal as Error).message).toContain("mv '/var/lib/wt/alice.json'");
    await keeper.armed(1, 10);
    await keeper.keyFailed('STMkey', 2);
    expect(saves).toBe(0);
    expect(reported).toEqual([]);
  });

  it('refuses a state file it may not read (EACCES), but starts fresh where there is no file to read (ENOTDIR)', async () => {
    const failing = (errno: string): StateStore => ({
      load: async () => {
        throw new StateError('STATE_READ_FAILED', `cannot read the state file /srv/wt/s.json: ${errno}`, {
          details: { path: '/srv/wt/s.json', errno },
        });
      },
      save: async () => undefined,
    });
    const refusal = await new StateKeeper(failing('EACCES'), 'alice', () => undefined)
      .load()
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'CONFIG_STATE_CORRUPT', kind: 'config' });
    expect((refusal as Error).message).toMatch(/cannot be read \(EACCES\)/);
    const reported: string[] = [];
    const fresh = new StateKeeper(failing('ENOTDIR'), 'alice', (e) => reported.push(e.code));
    expect(await fresh.load()).toMatchObject({ witness: 'alice', history: [] });
    expect(reported).toEqual(['STATE_READ_FAILED']);
  });

  it('records a landed switch and clears the pending one', async () => {
    const store = memoryStateStore();
    const keeper = new StateKeeper(store, 'alice', () => undefined);
    const tx = {
      ref_block_num: 1,
      ref_block_prefix: 2,
      expiration: '2026-11-25T16:00:30',
      operations: [],
      extensions: [],
      signatures: [],
    };
    await keeper.savePending({ fromKey: 'A', toKey: 'B', txId: 'x', tx, expiresAt: 1, signedAt: 0 });
    await keeper.recordSwitch({ fromKey: 'A', toKey: 'B', txId: 'x', at: 5, byPeer: false });
    expect(store.saved?.pending).toBeUndefined();
    expect(store.saved?.history).toEqual([{ fromKey: 'A', toKey: 'B', txId: 'x', at: 5, byPeer: false }]);
  });
});
