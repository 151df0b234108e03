import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('swich', 'switch')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('guesses only near names, and never between two equally near ones', () => {
    expect(nearest('bakup-key', ['backup-key', 'witness'])).toBe('backup-key');
    expect(nearest('frobnicate', ['run', 'status'])).toBeUndefined();
    expect(nearest('rum', ['run', 'rub'])).toBeUndefined();
    expect(nearest('ru', ['run', 'drill'])).toBe('run');
  });
});
