import { describe, expect, it } from 'vitest';
import { NotifierError } from '../errors.js';
import type { NotificationKind, Notifier, TrapNotification } from '../types.js';
import { dedupeNotifier } from './dedupe.js';
import { formatNotification } from './format.js';

/** A notifier that keeps what it delivered, and fails while `failing` is set. */
function inbox() {
  const delivered: TrapNotification[] = [];
  const state = { failing: false };
  const notifier: Notifier = {
    name: 'inbox',
    async notify(n) {
      await Promise.resolve();
      if (state.failing) throw new NotifierError('down', { notifier: 'inbox' }, { isRetryable: true });
      delivered.push(n);
    },
  };
  return { notifier, delivered, state };
}

const news = (kind: NotificationKind, toKey = 'STM5backup') =>
  formatNotification({ kind, witness: 'alice', facts: { fromKey: 'STM6old', toKey, key: toKey } });

describe('dedupeNotifier', () => {
  it('sends the same news once per window, and again after it', async () => {
    let now = 0;
    const { notifier, delivered } = inbox();
    const suppressed: string[] = [];
    const deduped = dedupeNotifier(notifier, {
      windowMs: 60_000,
      now: () => now,
      onSuppressed: (_n, r) => suppressed.push(r),
    });
    for (let i = 0; i < 50; i++) await deduped.notify(news('recovered'));
    now = 60_000;
    await deduped.notify(news('recovered'));
    expect(delivered).toHaveLength(2);
    expect(suppressed).toHaveLength(49);
    expect(deduped.name).toBe('inbox');
  });

  it('caps a flapping condition at maxPerWindow, but never holds back critical news', async () => {
    const { notifier, delivered } = inbox();
    const deduped = dedupeNotifier(notifier, { maxPerWindow: 3, now: () => 0 });
    for (let i = 0; i < 20; i++) await deduped.notify(news('recovered', `STM5key${i}`));
    await deduped.notify(news('failed', 'STM5other'));
    expect(delivered.map((n) => n.kind)).toEqual(['recovered', 'recovered', 'recovered', 'failed']);
  });

  it('does not count a failed delivery, so the next identical one goes out', async () => {
    const { notifier, delivered, state } = inbox();
    const deduped = dedupeNotifier(notifier, { now: () => 0 });
    state.failing = true;
    await expect(deduped.notify(news('confirmed'))).rejects.toBeInstanceOf(NotifierError);
    state.failing = false;
    await deduped.notify(news('confirmed'));
    expect(delivered).toHaveLength(1);
  });

  it('lets an identical notification in flight share the first one’s outcome', async () => {
    const { notifier, delivered, state } = inbox();
    let suppressed = 0;
    const deduped = dedupeNotifier(notifier, { now: () => 0, onSuppressed: () => suppressed++ });
    state.failing = true;
    const results = await Promise.allSettled([deduped.notify(news('failed')), deduped.notify(news('failed'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    state.failing = false;
    await Promise.all([deduped.notify(news('failed')), deduped.notify(news('failed'))]);
    expect(delivered).toHaveLength(1);
    expect(suppressed).toBe(2);
  });

  it('tells a second switch to the same key within the window, and drops a repeat of the same switch', async () => {
    const { notifier, delivered } = inbox();
    const deduped = dedupeNotifier(notifier, { windowMs: 3_600_000, now: () => 0 });
    const switched = (txId: string | undefined, aslot: number, blockNum: number) => [
      formatNotification({
        kind: 'fired',
        witness: 'alice',
        facts: { fromKey: 'STM6old', toKey: 'STM5b', aslot, txId },
      }),
      formatNotification({
        kind: 'confirmed',
        witness: 'alice',
        facts: { fromKey: 'STM6old', toKey: 'STM5b', blockNum, ...(txId === undefined ? {} : { txId }) },
      }),
    ];
    // K1 -> K2 at slot 100 (tx aa), told twice (a repeat); later K1 -> K2 again at slot 900 (tx bb): a new switch.
    for (const n of [...switched('aa', 100, 101), ...switched('aa', 100, 101), ...switched('bb', 900, 901)]) {
      await deduped.notify(n);
    }
    // The same for switches made by someone else (no tx id of ours): told once per block they were seen in.
    for (const n of [...switched(undefined, 1000, 1001), ...switched(undefined, 2000, 2001)]) await deduped.notify(n);
    expect(delivered.map((n) => `${n.kind} ${n.facts.txId ?? n.facts.blockNum ?? n.facts.aslot}`)).toEqual([
      'fired aa',
      'confirmed aa',
      'fired bb',
      'confirmed bb',
      'fired 1000',
      'confirmed 1001',
      'fired 2000',
      'confirmed 2001',
    ]);
  });
});
