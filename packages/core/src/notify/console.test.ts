import { describe, expect, it } from 'vitest';
import { consoleNotifier } from './console.js';
import { formatNotification } from './format.js';

describe('consoleNotifier', () => {
  it('writes one line with time, severity and text', async () => {
    const lines: string[] = [];
    const notifier = consoleNotifier({ write: (line) => lines.push(line) });
    const n = formatNotification({ kind: 'exhausted', witness: 'alice', facts: { killSwitch: true }, at: 0 });
    await notifier.notify(n);
    expect(notifier.name).toBe('console');
    expect(lines).toEqual([`1970-01-01T00:00:00.000Z CRITICAL ${n.text}`]);
  });

  it('writes nothing once aborted', async () => {
    const lines: string[] = [];
    const notifier = consoleNotifier({ write: (line) => lines.push(line) });
    const n = formatNotification({ kind: 'test', witness: 'alice', facts: {} });
    await expect(notifier.notify(n, AbortSignal.abort())).rejects.toMatchObject({ code: 'NOTIFIER_ABORTED' });
    expect(lines).toEqual([]);
  });
});
