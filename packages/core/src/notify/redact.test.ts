import { describe, expect, it } from 'vitest';
import { REDACTED, redactError, redactText, redactValue } from './redact.js';

describe('redaction', () => {
  it('removes a secret and its URL-encoded form, longest first', () => {
    expect(redactText('a 12:ab b 12%3Aab c', ['12:ab'])).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactText('abcdef', ['abc', 'abcdef'])).toBe(REDACTED);
    expect(redactText('nothing', [''])).toBe('nothing');
  });

  it('cleans nested values, keys and errors, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { 'key-s3cret': ['s3cret'], err: new Error('bad s3cret') };
    cyclic.self = cyclic;
    const out = JSON.stringify(redactValue(cyclic, ['s3cret']));
    expect(out).not.toContain('s3cret');
    expect(out).toContain('[...]');
  });

  it('copies an error chain with every message cleaned and codes kept', () => {
    const inner = Object.assign(new Error('connect to /bots3cret failed'), { code: 'ECONNREFUSED' });
    const copy = redactError(new TypeError('fetch failed', { cause: inner }), ['s3cret']);
    expect(copy.name).toBe('TypeError');
    expect(copy.cause).toMatchObject({ message: `connect to /bot${REDACTED} failed`, code: 'ECONNREFUSED' });
    expect(copy.stack).not.toContain('s3cret');
  });
});
