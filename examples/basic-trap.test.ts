import { describe, expect, it } from 'vitest';
import { main } from './basic-trap.js';

describe('examples/basic-trap', () => {
  it('tells the failover story and exits 0 once the switch is confirmed', async () => {
    const lines: string[] = [];
    const code = await main({ blockIntervalMs: 100, print: (line) => lines.push(line) });
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^armed: /);
    expect(lines.some((l) => l.startsWith('missed slot'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^confirmed in block \d+: now signing with /);
  });
});
