import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationReference } from './reference.js';

describe('docs/configuration.md', () => {
  it('is exactly what the option table generates (regenerate with `pnpm --filter witness-trap docs:configuration`)', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigurationReference());
  });
});
