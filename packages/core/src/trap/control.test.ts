import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ControlDesk } from './control.js';

describe('ControlDesk.wakeSignal', () => {
  it('keeps one listener on the run signal however many manual switches a run takes', () => {
    const desk = new ControlDesk();
    const run = new AbortController();
    for (let i = 0; i < 50; i++) {
      const signal = desk.wakeSignal(run.signal);
      expect(desk.wakeSignal(run.signal)).toBe(signal); // cached while nothing changed
      void desk.enqueue('STM1111111111111111111111111111111114T1Anm', 'test').catch(() => undefined);
      expect(signal.aborted).toBe(true); // the queued switch wakes the loop
      desk.take()?.settle({ error: new Error('not run') });
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
  });

  it('still ends every wait when the run is stopped', () => {
    const desk = new ControlDesk();
    const run = new AbortController();
    void desk.enqueue('STM1111111111111111111111111111111114T1Anm', 'test').catch(() => undefined);
    desk.take()?.settle({ error: new Error('not run') });
    const signal = desk.wakeSignal(run.signal);
    expect(signal.aborted).toBe(false);
    run.abort(new Error('stop'));
    expect(signal.aborted).toBe(true);
  });
});
