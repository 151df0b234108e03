import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './custom-notifier.js';

describe('examples/custom-notifier', () => {
  it('journals fired and then confirmed once the switch landed on chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wt-journal-'));
    try {
      const journal = join(dir, 'journal.log');
      const code = await main({ blockIntervalMs: 100, journal, print: () => undefined });
      expect(code).toBe(0);
      const kinds = (await readFile(journal, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]);
      expect(kinds).toContain('fired');
      expect(kinds).toContain('confirmed');
      expect(kinds.indexOf('fired')).toBeLessThan(kinds.indexOf('confirmed'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
