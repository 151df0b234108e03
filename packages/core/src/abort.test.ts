import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals } from './abort.js';

describe('linkSignals', () => {
  it('aborts with the reason of the first source that aborts, and unlinks itself from the others', () => {
    const run = new AbortController();
    const own = new AbortController();
    const link = linkSignals([own.signal, undefined, run.signal]);
    expect(link.signal.aborted).toBe(false);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    own.abort(new Error('cancelled'));
    expect(link.signal.aborted).toBe(true);
    expect((link.signal.reason as Error).message).toBe('cancelled');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    run.abort(new Error('later'));
    expect((link.signal.reason as Error).message).toBe('cancelled');
  });

  it('is aborted at once when a source already is, listening on nothing', () => {
    const run = new AbortController();
    const done = AbortSignal.abort('stopped');
    const link = linkSignals([run.signal, done]);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe('stopped');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('leaves nothing on a long-lived source once disposed, however many reads linked to it', () => {
    const run = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      const link = linkSignals([new AbortController().signal, run.signal]);
      link.dispose();
      link.dispose();
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    // Disposed: it no longer follows its sources.
    const link = linkSignals([run.signal]);
    link.dispose();
    run.abort();
    expect(link.signal.aborted).toBe(false);
  });

  it('with no source is a signal that never aborts', () => {
    expect(linkSignals([]).signal.aborted).toBe(false);
    expect(linkSignals([undefined]).signal.aborted).toBe(false);
  });
});
