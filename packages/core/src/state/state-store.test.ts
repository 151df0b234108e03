import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import type { TrapState } from '../types.js';
import { fileStateStore } from './file-state-store.js';
import { memoryStateStore } from './memory-state-store.js';

const state: TrapState = {
  version: 1,
  witness: 'alice',
  armedAt: 1_764_000_000_000,
  baselineTotalMissed: 88,
  pending: {
    fromKey: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4',
    toKey: 'STM1111111111111111111111111111111114T1Anm',
    txId: 'ab'.repeat(20),
    tx: {
      ref_block_num: 1,
      ref_block_prefix: 2,
      expiration: '2026-11-25T16:31:51',
      operations: [['witness_set_properties', { owner: 'alice', props: [], extensions: [] }]],
      extensions: [],
      signatures: ['1f'.repeat(65)],
    },
    expiresAt: 1_764_000_060_000,
    signedAt: 1_764_000_000_000,
  },
  history: [{ fromKey: 'STMa', toKey: 'STMb', at: 1, byPeer: true }],
  failedKeys: [{ key: 'STMa', at: 1 }],
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'witness-trap-state-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('fileStateStore', () => {
  it('loads nothing before the first save, then what was saved', async () => {
    const store = fileStateStore(join(dir, 'state.json'));
    expect(await store.load()).toBeUndefined();
    await store.save(state);
    expect(await store.load()).toEqual(state);
    expect(await fileStateStore(join(dir, 'state.json')).load()).toEqual(state);
  });

  it('writes the file readable by its owner only, and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{}', { mode: 0o644 });
    await fileStateStore(path).save(state);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('never lets a reader see a partial file while saves run', async () => {
    const path = join(dir, 'state.json');
    const store = fileStateStore(path);
    await store.save(state);
    const big = { ...state, history: Array.from({ length: 2000 }, (_, i) => ({ ...state.history[0]!, at: i })) };
    let writing = true;
    const saves = (async () => {
      for (let i = 0; i < 20; i++) await store.save(i % 2 === 0 ? big : state);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await readFile(path, 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      reads++;
    }
    await saves;
    expect(reads).toBeGreaterThan(0);
    expect(await store.load()).toEqual(state);
  });

  it('ignores a temp file left by a crash mid-write and keeps the old state', async () => {
    const path = join(dir, 'state.json');
    await fileStateStore(path).save(state);
    await writeFile(join(dir, '.state.json.12345.deadbeef.tmp'), '{"version":1,"witn');
    expect(await fileStateStore(path).load()).toEqual(state);
  });

  it('reports a corrupt file as STATE_CORRUPT instead of starting over', async () => {
    const path = join(dir, 'state.json');
    for (const text of [
      '{"version":1,"witn',
      '[]',
      '{"version":2,"witness":"alice","history":[],"failedKeys":[]}',
      '',
    ]) {
      await writeFile(path, text);
      const error = await fileStateStore(path)
        .load()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('STATE_CORRUPT');
    }
    await writeFile(path, JSON.stringify({ ...state, pending: { ...state.pending, tx: 'nope' } }));
    await expect(fileStateStore(path).load()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });

  it('fails with a StateError on a read-only directory, and the old state stays', async () => {
    const path = join(dir, 'state.json');
    await fileStateStore(path).save(state);
    await chmod(dir, 0o555);
    // Root writes anywhere: drop to an unprivileged effective user for the save (vitest runs files in forks).
    const asRoot = process.getuid?.() === 0 && typeof process.seteuid === 'function';
    if (asRoot) process.seteuid!(65534);
    let error: unknown;
    try {
      await fileStateStore(path).save({ ...state, witness: 'bob' });
    } catch (caught) {
      error = caught;
    } finally {
      if (asRoot) process.seteuid!(0);
    }
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('STATE_WRITE_FAILED');
    expect((error as StateError).message).toContain('EACCES');
    expect(await fileStateStore(path).load()).toEqual(state);
  });

  it('keeps the old state and cleans up when the final rename fails', async () => {
    const path = join(dir, 'state.json');
    const store = fileStateStore(path);
    await store.save(state);
    // A directory where the file should go: the temp file is written, the rename over it fails (EISDIR), as root too.
    const blocked = join(dir, 'blocked.json');
    await mkdir(blocked);
    const error = await fileStateStore(blocked)
      .save(state)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('STATE_WRITE_FAILED');
    expect((await readdir(dir)).sort()).toEqual(['blocked.json', 'state.json']);
    expect(await store.load()).toEqual(state);
  });

  it('fails with a StateError where the directory does not exist', async () => {
    const error = await fileStateStore(join(dir, 'missing', 'state.json'))
      .save(state)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('STATE_WRITE_FAILED');
  });
});

describe('memoryStateStore', () => {
  it('round-trips a copy, so later changes to the caller object are not saved', async () => {
    const store = memoryStateStore();
    expect(await store.load()).toBeUndefined();
    const mine = structuredClone(state);
    await store.save(mine);
    mine.witness = 'mallory';
    expect(store.saved?.witness).toBe('alice');
    expect(await store.load()).toEqual(state);
    expect(await memoryStateStore(state).load()).toEqual(state);
  });
});
