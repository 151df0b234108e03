import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { NotifierError } from '../errors.js';
import { formatNotification } from '../notify/format.js';
import type { DeliveryOptions } from '../notify/http.js';
import type { Notifier, TrapNotification } from '../types.js';
import { type CannedResponse, type RecordedRequest, startVendorServer, type VendorServer } from './vendor-server.js';

/**
 * The bits of a test runner the suite needs. Vitest's, Jest's and `node:test`'s `describe` and `it` all fit, so
 * the suite (and `@witness-trap/core`) depends on none of them.
 */
export interface TestApi {
  /** Opens a named group; the suite registers all its cases synchronously inside `body`. */
  describe(name: string, body: () => void): void;
  /** Registers one case; `body` settles when the case is done, and rejects (an assertion error) when it fails. */
  it(name: string, body: () => Promise<void>): void;
}

/** The delivery policy the suite runs a notifier with: pass it through to the notifier's own options. */
export type ConformanceDelivery = Required<Pick<DeliveryOptions, 'retries' | 'timeoutMs' | 'sleep'>>;

/** What the suite needs to know about a notifier under test. */
export interface NotifierUnderTest {
  /** The notifier's expected `name`. */
  name: string;
  /**
   * Builds the notifier pointed at `server.url` (as its base URL), with `delivery` merged into its options and
   * the `secrets` below as its credentials.
   */
  create(server: VendorServer, delivery: ConformanceDelivery): Notifier;
  /** Every secret given to `create` (tokens, passwords): none may appear in any error. */
  secrets: string[];
  /** The vendor's documented answers. */
  responses: {
    /** Accepted. */
    success: CannedResponse;
    /** 401 with the vendor's error body. */
    unauthorized: CannedResponse;
    /** 400 with the vendor's error body. */
    badRequest: CannedResponse;
    /** 429 carrying a rate-limit hint of `rateLimitHintMs`. */
    rateLimited: CannedResponse;
  };
  /** The wait the `rateLimited` answer asks for, ms. */
  rateLimitHintMs: number;
  /** The vendor codes the errors must carry, where the vendor has codes. */
  vendorCodes?: { unauthorized?: string | number; badRequest?: string | number };
}

/**
 * The notifier conformance suite: every notifier package runs it in one line, against a local HTTP server that
 * speaks the vendor's answers. It checks that a notifier has a name, delivers, retries what is worth retrying and
 * nothing else, honours rate-limit hints, times out, stops at once on abort, reports typed errors with the vendor's
 * code, and never lets a secret into an error.
 *
 * @example
 * import { describe, it } from 'vitest';
 * import { describeNotifierConformance } from '@witness-trap/core/testing';
 *
 * describeNotifierConformance({ describe, it }, {
 *   name: 'telegram',
 *   secrets: ['123:SECRET'],
 *   create: (server, delivery) => telegramNotifier({ botToken: '123:SECRET', chatId: '42', baseUrl: server.url, ...delivery }),
 *   responses: { success: ..., unauthorized: ..., badRequest: ..., rateLimited: ... },
 *   rateLimitHintMs: 3000,
 * });
 */
export function describeNotifierConformance(api: TestApi, target: NotifierUnderTest): void {
  const { describe, it } = api;

  describe(`notifier conformance: ${target.name}`, () => {
    it('has a short, stable name', async () => {
      await withVendor(target, async ({ notifier }) => {
        assert.equal(notifier.name, target.name);
        assert.match(notifier.name, /^[a-z0-9][a-z0-9-]*$/);
      });
    });

    it('delivers a notification with POST requests that carry its text', async () => {
      await withVendor(target, async ({ notifier, server }) => {
        server.respondWith(target.responses.success);
        const notification = sample();
        await notifier.notify(notification);
        assert.ok(server.requests.length >= 1, 'no request reached the vendor');
        for (const request of server.requests) {
          assert.equal(request.method, 'POST');
          assert.ok(decodedBody(request).includes(notification.witness), 'the request does not name the witness');
        }
        await notifier.close?.();
      });
    });

    it('reports bad credentials as a typed NotifierError with the vendor code, without retrying', async () => {
      await withVendor(target, async ({ notifier, server, perDelivery }) => {
        server.respondWith(target.responses.unauthorized);
        const error = await rejection(notifier.notify(sample()));
        assert.equal(error.code, 'NOTIFIER_AUTH');
        assert.equal(error.status, 401);
        assert.equal(error.isRetryable, false);
        assert.equal(error.notifier, target.name);
        if (target.vendorCodes?.unauthorized !== undefined) {
          assert.equal(error.vendorCode, target.vendorCodes.unauthorized);
        }
        assert.equal(server.requests.length, perDelivery, 'a 401 was retried');
      });
    });

    it("reports a 400 with the vendor's own code and message, without retrying", async () => {
      await withVendor(target, async ({ notifier, server, perDelivery }) => {
        server.respondWith(target.responses.badRequest);
        const error = await rejection(notifier.notify(sample()));
        assert.equal(error.code, 'NOTIFIER_REJECTED');
        assert.equal(error.status, 400);
        assert.equal(error.isRetryable, false);
        assert.ok(error.vendorMessage !== undefined && error.vendorMessage !== '', 'no vendor message');
        if (target.vendorCodes?.badRequest !== undefined) {
          assert.equal(error.vendorCode, target.vendorCodes.badRequest);
        }
        assert.equal(server.requests.length, perDelivery, 'a 400 was retried');
      });
    });

    it('retries a server error and then delivers', async () => {
      await withVendor(target, async ({ notifier, server, perDelivery }) => {
        server.respondWith({ status: 500, body: 'Internal Server Error' }, target.responses.success);
        await notifier.notify(sample());
        assert.equal(server.requests.length, perDelivery + 1);
      });
    });

    it("waits as long as the vendor's rate-limit hint says before retrying", async () => {
      await withVendor(target, async ({ notifier, server, perDelivery, waits }) => {
        server.respondWith(target.responses.rateLimited, target.responses.success);
        await notifier.notify(sample());
        assert.equal(server.requests.length, perDelivery + 1);
        assert.deepEqual(waits, [target.rateLimitHintMs]);
      });
    });

    it('gives up after its retries on a vendor that keeps failing, with a retryable error', async () => {
      await withVendor(target, async ({ notifier, server, perDelivery, delivery }) => {
        server.respondWith({ status: 503, body: 'Service Unavailable' });
        const error = await rejection(notifier.notify(sample()));
        assert.equal(error.code, 'NOTIFIER_UNAVAILABLE');
        assert.equal(error.status, 503);
        assert.equal(error.isRetryable, true);
        assert.equal(server.requests.length, perDelivery * (delivery.retries + 1));
      });
    });

    it('times out a vendor that never answers', async () => {
      await withVendor(
        target,
        async ({ notifier, server }) => {
          server.respondWith({ hang: true });
          const error = await rejection(notifier.notify(sample()));
          assert.equal(error.code, 'NOTIFIER_TIMEOUT');
          assert.equal(error.isRetryable, true);
        },
        { retries: 0, timeoutMs: 150 },
      );
    });

    it('reports a dropped connection as a retryable network error', async () => {
      await withVendor(
        target,
        async ({ notifier, server }) => {
          server.respondWith({ destroy: true });
          const error = await rejection(notifier.notify(sample()));
          assert.equal(error.code, 'NOTIFIER_NETWORK');
          assert.equal(error.isRetryable, true);
        },
        { retries: 0 },
      );
    });

    it('stops at once when the signal aborts a request in flight', async () => {
      await withVendor(
        target,
        async ({ notifier, server }) => {
          server.respondWith({ hang: true });
          const controller = new AbortController();
          const pending = rejection(notifier.notify(sample(), controller.signal));
          await server.waitForRequests(1);
          controller.abort(new Error('the trap gave up waiting'));
          const error = await pending;
          assert.equal(error.code, 'NOTIFIER_ABORTED');
        },
        // Without the abort this test would hang for a minute: the abort, not the timeout, must end it.
        { timeoutMs: 60_000 },
      );
    });

    it('stops at once when the signal aborts a wait between attempts', async () => {
      let waiting: () => void = () => {};
      const waitStarted = new Promise<void>((resolve) => {
        waiting = resolve;
      });
      const endlessSleep: ConformanceDelivery['sleep'] = (_ms, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          waiting();
        });
      await withVendor(
        target,
        async ({ notifier, server, perDelivery }) => {
          server.respondWith({ status: 500, body: 'oops' });
          const controller = new AbortController();
          const pending = rejection(notifier.notify(sample(), controller.signal));
          await waitStarted;
          controller.abort();
          const error = await pending;
          assert.equal(error.code, 'NOTIFIER_ABORTED');
          assert.ok(server.requests.length <= perDelivery, 'it kept sending after the abort');
        },
        { sleep: endlessSleep },
      );
    });

    it('sends nothing when the signal is already aborted', async () => {
      await withVendor(target, async ({ notifier, server }) => {
        const error = await rejection(notifier.notify(sample(), AbortSignal.abort()));
        assert.equal(error.code, 'NOTIFIER_ABORTED');
        assert.equal(server.requests.length, 0);
      });
    });

    it('keeps every secret out of error messages, details and causes, even when the vendor echoes one', async () => {
      const echo = (status: number): CannedResponse => ({
        status,
        body: {
          ok: false,
          code: 1,
          error_code: status,
          message: `rejected ${target.secrets.join(' ')}`,
          description: `rejected ${target.secrets.join(' ')}`,
        },
      });
      const failures: CannedResponse[] = [
        target.responses.unauthorized,
        target.responses.badRequest,
        echo(400),
        echo(500),
        { status: 502, body: `<html>bad gateway ${target.secrets.join(' ')}</html>` },
        { destroy: true },
        { hang: true },
      ];
      for (const failure of failures) {
        await withVendor(
          target,
          async ({ notifier, server }) => {
            server.respondWith(failure);
            const error = await rejection(notifier.notify(sample()));
            const shown = [
              error.message,
              error.stack ?? '',
              String(error.vendorMessage),
              JSON.stringify(error.details),
              inspect(error, { depth: 12 }),
            ].join('\n');
            for (const secret of target.secrets) {
              assert.ok(!shown.includes(secret), `a secret leaked into the error for ${JSON.stringify(failure)}`);
              assert.ok(!shown.includes(encodeURIComponent(secret)), 'a URL-encoded secret leaked');
            }
          },
          { retries: 0, timeoutMs: 150 },
        );
      }
    });
  });
}

interface VendorContext {
  notifier: Notifier;
  server: VendorServer;
  /** Requests one successful delivery makes (one per recipient). */
  perDelivery: number;
  /** Every wait the notifier asked for between attempts, ms. */
  waits: number[];
  delivery: ConformanceDelivery;
}

async function withVendor(
  target: NotifierUnderTest,
  body: (context: VendorContext) => Promise<void>,
  overrides: Partial<ConformanceDelivery> = {},
): Promise<void> {
  const server = await startVendorServer();
  try {
    const waits: number[] = [];
    const delivery: ConformanceDelivery = {
      retries: 2,
      timeoutMs: 2_000,
      // Retries run at once: the suite checks which waits were asked for, not that they were waited.
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw signal.reason;
        waits.push(ms);
      },
      ...overrides,
    };
    const perDelivery = await measurePerDelivery(target);
    await body({ notifier: target.create(server, delivery), server, perDelivery, waits, delivery });
  } finally {
    await server.close();
  }
}

/** Counts the requests one successful delivery makes (several for a notifier with several recipients). */
async function measurePerDelivery(target: NotifierUnderTest): Promise<number> {
  const server = await startVendorServer();
  try {
    server.respondWith(target.responses.success);
    const notifier = target.create(server, { retries: 0, timeoutMs: 2_000, sleep: async () => {} });
    await notifier.notify(sample());
    return server.requests.length;
  } finally {
    await server.close();
  }
}

function sample(): TrapNotification {
  return formatNotification({
    kind: 'confirmed',
    witness: 'conformance-wit',
    facts: {
      fromKey: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4',
      toKey: 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX',
      blockNum: 91234567,
      txId: '6f2b0c5e1d0a3b4c5d6e7f8091a2b3c4d5e6f708',
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<NotifierError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NotifierError, `expected a NotifierError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('expected the notification to fail, but it was delivered');
}

/** The request body as readable text, whether it was JSON, form-encoded or plain. */
function decodedBody(request: RecordedRequest): string {
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return [...new URLSearchParams(request.body).values()].join('\n');
  }
  if (type.includes('json')) {
    return JSON.stringify(JSON.parse(request.body));
  }
  return request.body;
}
