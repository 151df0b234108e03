import { formatNotification, type NotificationKind } from '@witness-trap/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsLength, toSmsBody } from '../src/index.js';

describe('SMS length', () => {
  it('counts GSM-7 septets (extension characters twice) and UCS-2 code units', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsLength('{}'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 320, segments: 3 });
    expect(smsLength(`${'a'.repeat(70)}`)).toMatchObject({ segments: 1 });
    expect(smsLength(`é${'a'.repeat(69)}`)).toEqual({ encoding: 'GSM-7', units: 70, segments: 1 });
    expect(smsLength(`✓${'a'.repeat(70)}`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });

  it('replaces typographic characters with GSM look-alikes and cuts to the segment budget', () => {
    expect(toSmsBody('a \u2192 b \u2026 \u201cq\u201d \u2014 `x` ✓')).toBe('a -> b ... "q" - \'x\' ?');
    const cut = toSmsBody('x'.repeat(400));
    expect(cut.length).toBe(306);
    expect(cut.endsWith('...')).toBe(true);
    expect(toSmsBody('y'.repeat(200), 1).length).toBe(160);
  });

  it('fits every kind of notification into at most two GSM-7 segments, whatever the facts', () => {
    const kinds: NotificationKind[] = ['fired', 'confirmed', 'failed', 'exhausted', 'recovered', 'stopped', 'test'];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.stringMatching(/^[a-z][a-z0-9.-]{2,15}$/),
        fc.string({ maxLength: 400 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (kind, witness, error, n) => {
          const key = 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4';
          const facts = { fromKey: key, toKey: key, key, error, reason: 'error', aslot: n, blockNum: n, attempts: n };
          const body = toSmsBody(
            formatNotification({ kind, witness, facts: { ...facts, triedKeys: `${key},${key}` } }).text,
          );
          const length = smsLength(body);
          expect(length.encoding).toBe('GSM-7');
          expect(length.segments).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});
