import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../errors.js';
import { startVendorServer, type VendorServer } from '../testing/vendor-server.js';
import { backoffDelay, deliverHttp, parseRetryAfter } from './http.js';

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-11-25T03:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 03:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 02:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('stays between half and all of a doubling ceiling that never passes the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const options = { initialBackoffMs: 500, maxBackoffMs: 8000 };
        const ceiling = Math.min(8000, 500 * 2 ** (attempt - 1));
        const delay = backoffDelay(attempt, options, () => r);
        return delay >= ceiling / 2 && delay <= ceiling;
      }),
    );
  });
});

describe('deliverHttp', () => {
  let server: VendorServer;
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  beforeEach(async () => {
    waits.length = 0;
    server = await startVendorServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const post = (options: Parameters<typeof deliverHttp>[1] = {}, url = server.url) =>
    deliverHttp({ notifier: 'test', url, headers: {}, body: 'hello', secrets: ['tok-123'] }, { sleep, ...options });

  it('cuts a rate-limit hint that is too long down to the cap', async () => {
    server.respondWith({ status: 429, headers: { 'retry-after': '3600' } }, { status: 200, body: { ok: true } });
    const result = await post({ maxRetryAfterMs: 30_000 });
    expect(result).toEqual({ status: 200, body: { ok: true }, attempts: 2 });
    expect(waits).toEqual([30_000]);
  });

  it('retries a 408 and a 502 with growing backoff, and resolves with the 2xx body', async () => {
    server.respondWith({ status: 408 }, { status: 502 }, { status: 201, body: 'created' });
    const result = await post({ initialBackoffMs: 100, maxBackoffMs: 1000 });
    expect(result.body).toBe('created');
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('does not retry a 403 or a 404', async () => {
    server.respondWith({ status: 403, body: 'no' });
    await expect(post()).rejects.toMatchObject({ code: 'NOTIFIER_AUTH', status: 403 });
    server.respondWith({ status: 404, body: 'no such hook' });
    await expect(post()).rejects.toMatchObject({ code: 'NOTIFIER_REJECTED', vendorMessage: 'no such hook' });
    expect(server.requests).toHaveLength(2);
  });

  it('keeps a token in the URL path out of a connection error and its cause', async () => {
    const closed = await startVendorServer();
    const url = `${closed.url}/bottok-123/sendMessage`;
    await closed.close();
    const error = await post({ retries: 1 }, url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).code).toBe('NOTIFIER_NETWORK');
    expect((error as NotifierError).message).toContain('ECONNREFUSED');
    expect(JSON.stringify((error as NotifierError).details)).toContain('/bot[redacted]/sendMessage');
    expect(inspect(error, { depth: 10 })).not.toContain('tok-123');
    expect(waits).toHaveLength(1);
  });
});
