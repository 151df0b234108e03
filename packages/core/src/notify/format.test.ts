import { describe, expect, it } from 'vitest';
import type { NotificationKind } from '../types.js';
import { formatNotification, NOTIFICATION_TEXT_MAX, NOTIFICATION_TITLE_MAX, shortKey } from './format.js';

const FROM = 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4';
const TO = 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX';
const TX = '6f2b0c5e1d0a3b4c5d6e7f8091a2b3c4d5e6f708';

const FULL_FACTS: Record<NotificationKind, Record<string, string | number | boolean | undefined>> = {
  fired: {
    fromKey: FROM,
    toKey: TO,
    aslot: 98765432,
    misses: 1,
    txId: TX,
    operation: 'witness_set_properties',
    reason: 'missed',
  },
  confirmed: { fromKey: FROM, toKey: TO, blockNum: 91234567, txId: TX, byPeer: false, elapsedMs: 4210 },
  unconfirmed: { fromKey: FROM, toKey: TO, txId: TX, expiresAt: 1_790_000_000_000 },
  abandoned: {
    fromKey: FROM,
    toKey: TO,
    attempts: 1,
    reason: 'no longer wanted: the witness produced again, or its key changed',
  },
  failed: {
    fromKey: FROM,
    toKey: TO,
    attempts: 3,
    error: 'tx_missing_other_auth: missing required other authority '.repeat(5),
  },
  exhausted: { triedKeys: `${FROM},${TO}`, killSwitch: true },
  recovered: { blockNum: 91234600, key: TO },
  stopped: { reason: 'error', error: 'state file not writable' },
  test: {},
};

describe('formatNotification', () => {
  it('says "switched" only once the switch is confirmed on chain', () => {
    for (const kind of Object.keys(FULL_FACTS) as NotificationKind[]) {
      const n = formatNotification({ kind, witness: 'alice', facts: FULL_FACTS[kind] });
      const says = /\bswitched\b/i.test(`${n.title} ${n.text}`);
      expect([kind, says]).toEqual([kind, kind === 'confirmed']);
    }
    const fired = formatNotification({ kind: 'fired', witness: 'alice', facts: FULL_FACTS.fired });
    expect(fired.text).toContain('NOT yet confirmed');
  });

  it('keeps every message short, ASCII, and free of full keys so it fits two SMS segments', () => {
    for (const kind of Object.keys(FULL_FACTS) as NotificationKind[]) {
      const n = formatNotification({ kind, witness: 'a-sixteen-chars.', facts: FULL_FACTS[kind] });
      expect(n.title.length).toBeLessThanOrEqual(NOTIFICATION_TITLE_MAX);
      expect(n.text.length).toBeLessThanOrEqual(NOTIFICATION_TEXT_MAX);
      expect(n.text).toMatch(/^[\x20-\x7e]*$/);
      expect(n.text).not.toContain(FROM);
      expect(n.text).not.toContain(TX);
    }
  });

  it('shows the keys in short form', () => {
    const n = formatNotification({ kind: 'confirmed', witness: 'alice', facts: FULL_FACTS.confirmed });
    expect(shortKey(FROM)).toBe('STM6LLeg...SCkg4');
    expect(n.text).toContain('STM8GC13...53XTX');
    expect(n.text).toContain('block 91234567');
    expect(n.facts.toKey).toBe(TO);
  });

  it('marks failed, exhausted and unexpected stops critical, expected stops info', () => {
    const severity = (kind: NotificationKind, facts = FULL_FACTS[kind]) =>
      formatNotification({ kind, witness: 'alice', facts }).severity;
    expect(severity('failed')).toBe('critical');
    expect(severity('exhausted')).toBe('critical');
    expect(severity('stopped', { reason: 'error' })).toBe('critical');
    expect(severity('stopped', { reason: 'failed' })).toBe('critical');
    expect(severity('stopped', { reason: 'requested' })).toBe('info');
    expect(severity('stopped', { reason: 'confirmed' })).toBe('info');
    expect(severity('confirmed')).toBe('info');
    expect(severity('fired')).toBe('warning');
  });

  it('gives a re-signed retry of the same switch the same dedupe key, and a different switch another', () => {
    const a = formatNotification({ kind: 'fired', witness: 'alice', facts: { ...FULL_FACTS.fired, txId: 'aa' } });
    const b = formatNotification({ kind: 'fired', witness: 'alice', facts: { ...FULL_FACTS.fired, txId: 'bb' } });
    const c = formatNotification({
      kind: 'fired',
      witness: 'alice',
      facts: { ...FULL_FACTS.fired, toKey: FROM, fromKey: TO },
    });
    const d = formatNotification({ kind: 'fired', witness: 'bob', facts: FULL_FACTS.fired });
    expect(a.dedupeKey).toBe(b.dedupeKey);
    expect(c.dedupeKey).not.toBe(a.dedupeKey);
    expect(d.dedupeKey).not.toBe(a.dedupeKey);
  });

  it('never dedupes two test messages sent at different times', () => {
    const a = formatNotification({ kind: 'test', witness: 'alice', facts: {}, at: 1 });
    const b = formatNotification({ kind: 'test', witness: 'alice', facts: {}, at: 2 });
    expect(a.dedupeKey).not.toBe(b.dedupeKey);
    expect(a.at).toBe(1);
  });

  it('leaves missing facts out instead of printing undefined', () => {
    for (const kind of Object.keys(FULL_FACTS) as NotificationKind[]) {
      const n = formatNotification({ kind, witness: 'alice', facts: {} });
      expect(`${n.title} ${n.text}`).not.toMatch(/undefined|NaN/);
    }
  });

  it('quotes the error of a failed switch, clamped', () => {
    const n = formatNotification({ kind: 'failed', witness: 'alice', facts: FULL_FACTS.failed });
    expect(n.text).toContain('tx_missing_other_auth');
    expect(n.text).toContain('Act now');
  });
});
