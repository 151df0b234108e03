import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { NotifierError } from '../errors.js';
import type { NotificationKind, Notifier, TrapNotification } from '../types.js';
import { NotifyDispatch } from './notify-dispatch.js';

function dispatch(notifiers: Notifier[], timeoutMs = 200) {
  const delivered: string[] = [];
  const failed: Array<{ notifier: string; kind: NotificationKind; code: string }> = [];
  const d = new NotifyDispatch({
    witness: 'alice',
    notifiers,
    clock: systemClock,
    timeoutMs,
    dedupeMs: 60_000,
    report: {
      delivered: (notifier, kind) => delivered.push(`${notifier}:${kind}`),
      failed: (notifier, kind, error) => failed.push({ notifier, kind, code: error.code }),
    },
  });
  return { d, delivered, failed };
}

const recorder = (name: string, into: TrapNotification[]): Notifier => ({
  name,
  notify: async (n) => {
    into.push(n);
  },
});

describe('NotifyDispatch', () => {
  it('sends the same news once, and different news again', async () => {
    const got: TrapNotification[] = [];
    const { d, delivered } = dispatch([recorder('a', got)]);
    d.send('fired', { fromKey: 'STM1', toKey: 'STM2' });
    await d.idle();
    d.send('fired', { fromKey: 'STM1', toKey: 'STM2' });
    d.send('confirmed', { fromKey: 'STM1', toKey: 'STM2' });
    await d.idle();
    expect(got.map((n) => n.kind)).toEqual(['fired', 'confirmed']);
    expect(delivered).toEqual(['a:fired', 'a:confirmed']);
  });

  it('returns at once and reports a notifier that hangs, rejects or throws, without touching the others', async () => {
    const got: TrapNotification[] = [];
    const hangs: Notifier = { name: 'hangs', notify: () => new Promise<void>(() => undefined) };
    const rejects: Notifier = {
      name: 'rejects',
      notify: async () => {
        throw new NotifierError('vendor said no', { notifier: 'rejects', status: 400 });
      },
    };
    const throws: Notifier = {
      name: 'throws',
      notify: () => {
        throw new Error('synchronous bug');
      },
    };
    const { d, delivered, failed } = dispatch([hangs, rejects, throws, recorder('ok', got)], 50);
    d.send('failed', { fromKey: 'STM1', toKey: 'STM2', attempts: 3 });
    expect(got).toHaveLength(0); // nothing awaited on the caller's path
    await d.idle();
    expect(got.map((n) => n.kind)).toEqual(['failed']);
    expect(delivered).toEqual(['ok:failed']);
    expect(failed.map((f) => [f.notifier, f.code]).sort()).toEqual([
      ['hangs', 'TIMEOUT'],
      ['rejects', 'NOTIFIER_FAILED'],
      ['throws', 'NOTIFIER_FAILED'],
    ]);
  });
});
