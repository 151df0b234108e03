import { setTimeout as delay } from 'node:timers/promises';
import { NotifierError } from '../errors.js';
import type { Clock } from '../types.js';
import { redactError, redactText, redactValue } from './redact.js';

/**
 * How an HTTP notifier delivers: per-attempt timeout, bounded retries with jittered exponential backoff, vendor
 * rate-limit hints honoured up to a cap. Every HTTP notifier (webhook, Twilio, Telegram) takes these options.
 */
export interface DeliveryOptions {
  /**
   * The `fetch` to use (inject one for tests or a proxy).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * Per attempt, ms: an attempt that has not answered by then is abandoned (and retried).
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Further attempts after the first, on 408, 429, 5xx, a timeout or a network error. Never on 400, 401, 403 or any
   * other 4xx: those will not get better by asking again.
   * @default 3
   */
  retries?: number;
  /**
   * The first backoff delay, ms; each retry doubles it (with jitter: half fixed, half random), up to `maxBackoffMs`.
   * @default 500
   */
  initialBackoffMs?: number;
  /** @default 8000 */
  maxBackoffMs?: number;
  /**
   * The longest wait a vendor's rate-limit hint (`Retry-After`, Telegram's `retry_after`) can impose, ms. A longer
   * hint is cut to this: an alarm that waits an hour is no alarm.
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /**
   * Waits between attempts; must reject when `signal` aborts. Inject a fake to run retries without waiting.
   * @default a timer
   */
  sleep?: Clock['sleep'];
}

/** What a vendor said about a failed request, read from its error body by the vendor's notifier. */
export interface VendorFailure {
  /** The vendor's own error code (Twilio's `code`, Telegram's `error_code`). */
  vendorCode?: string | number;
  /** The vendor's own message (Twilio's `message`, Telegram's `description`). */
  vendorMessage?: string;
  /** A rate-limit hint from the body (Telegram's `parameters.retry_after`), ms. Wins over `Retry-After`. */
  retryAfterMs?: number;
  /** More facts for the error's `details` (Twilio's `more_info`). Redacted like everything else. */
  details?: Record<string, unknown>;
}

/** One HTTP request a notifier wants delivered. */
export interface HttpDeliveryRequest {
  /** The notifier's name, for errors. */
  notifier: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Every secret this request carries (tokens, passwords, the `Authorization` value): kept out of every error. */
  secrets: readonly string[];
  /**
   * Reads what is particular to the vendor's error body (parsed JSON where it was JSON, else the text). What it
   * returns is laid over the common reading: the body's `code`/`error_code` and `message`/`description`/`error`, or
   * the text of a body that is not JSON.
   */
  parseFailure?: (body: unknown, status: number) => VendorFailure;
}

/** A delivered request. */
export interface HttpDelivery {
  status: number;
  /** The response body, parsed JSON where it was JSON, else the text. */
  body: unknown;
  /** How many attempts it took (1 = no retry). */
  attempts: number;
}

/**
 * `NotifierError` codes the HTTP delivery produces:
 * - `NOTIFIER_AUTH`: 401/403, the credentials are wrong (not retried).
 * - `NOTIFIER_REJECTED`: another 4xx, e.g. a bad phone number or chat id (not retried).
 * - `NOTIFIER_UNAVAILABLE`: 408/429/5xx on every attempt (retryable later).
 * - `NOTIFIER_TIMEOUT`: the last attempt did not answer within `timeoutMs` (retryable).
 * - `NOTIFIER_NETWORK`: the last attempt could not connect or lost the connection (retryable).
 * - `NOTIFIER_ABORTED`: the caller's signal aborted delivery.
 * - `NOTIFIER_BLOCKED`: not produced here; a notifier whose vendor says 403 for "the recipient refused us" (Telegram:
 *   the bot was blocked by the user or removed from the chat) maps its 403 to it (not retried).
 * (`webhookNotifier` adds `NOTIFIER_FORMAT`: its `format` hook threw.)
 */
export type NotifierErrorCode =
  | 'NOTIFIER_AUTH'
  | 'NOTIFIER_REJECTED'
  | 'NOTIFIER_UNAVAILABLE'
  | 'NOTIFIER_TIMEOUT'
  | 'NOTIFIER_NETWORK'
  | 'NOTIFIER_ABORTED'
  | 'NOTIFIER_BLOCKED';

const DEFAULTS = {
  timeoutMs: 10_000,
  retries: 3,
  initialBackoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
} as const;

/** The longest vendor body text quoted in an error. */
const BODY_QUOTE_MAX = 300;

/**
 * POSTs one request with the {@link DeliveryOptions} policy and resolves with the 2xx response, or rejects with a
 * `NotifierError` whose message, `details` and `cause` name no secret. `signal` stops everything at once: the
 * request in flight and any wait between attempts.
 *
 * This is the one piece of retry, timeout and redaction logic every HTTP notifier uses.
 *
 * @example
 * const { body } = await deliverHttp(
 *   { notifier: 'webhook', url, headers: { 'content-type': 'application/json' }, body: json, secrets: [] },
 *   { retries: 2 },
 *   signal,
 * );
 */
export async function deliverHttp(
  request: HttpDeliveryRequest,
  options: DeliveryOptions = {},
  signal?: AbortSignal,
): Promise<HttpDelivery> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULTS.retries));
  const sleep = options.sleep ?? timerSleep;
  const fail = failureFactory(request);
  if (signal?.aborted) throw fail.aborted(signal.reason);

  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(fetchFn, request, options.timeoutMs ?? DEFAULTS.timeoutMs, signal);
    if (outcome.type === 'aborted') throw fail.aborted(outcome.reason);
    if (outcome.type === 'response' && outcome.status >= 200 && outcome.status < 300) {
      return { status: outcome.status, body: outcome.body, attempts: attempt };
    }
    const error = fail.from(outcome, attempt);
    if (!error.isRetryable || attempt > retries) throw error;
    const hint = outcome.type === 'response' ? outcome.retryAfterMs : undefined;
    const wait =
      hint === undefined
        ? backoffDelay(attempt, options)
        : Math.min(hint, options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs);
    try {
      await sleep(wait, signal);
    } catch {
      throw fail.aborted(signal?.reason);
    }
  }
}

/**
 * The wait before retry number `attempt` (1-based): `initialBackoffMs * 2^(attempt-1)`, capped at `maxBackoffMs`,
 * half of it fixed and half random, so that many senders do not retry in step.
 */
export function backoffDelay(attempt: number, options: DeliveryOptions = {}, random: () => number = Math.random) {
  const initial = options.initialBackoffMs ?? DEFAULTS.initialBackoffMs;
  const max = options.maxBackoffMs ?? DEFAULTS.maxBackoffMs;
  const ceiling = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

/**
 * Reads an HTTP `Retry-After` header, ms from `now`: either delay-seconds (`"120"`) or an HTTP date. `undefined`
 * where absent or unreadable; never negative.
 *
 * @example
 * parseRetryAfter('3'); // 3000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type AttemptOutcome =
  | { type: 'response'; status: number; body: unknown; retryAfterMs: number | undefined; failure?: VendorFailure }
  | { type: 'timeout' }
  | { type: 'network'; error: unknown }
  | { type: 'aborted'; reason: unknown };

async function attemptOnce(
  fetchFn: typeof fetch,
  request: HttpDeliveryRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchFn(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const body = parseBody(await response.text());
    if (response.ok) return { type: 'response', status: response.status, body, retryAfterMs: undefined };
    const failure = { ...defaultParseFailure(body), ...request.parseFailure?.(body, response.status) };
    return {
      type: 'response',
      status: response.status,
      body,
      failure,
      retryAfterMs: failure.retryAfterMs ?? parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (error) {
    if (signal?.aborted) return { type: 'aborted', reason: signal.reason };
    if (timedOut) return { type: 'timeout' };
    return { type: 'network', error };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function failureFactory(request: HttpDeliveryRequest) {
  const { notifier, secrets } = request;
  const redact = (text: string) => redactText(text, secrets);
  const url = redact(request.url);
  const make = (
    code: NotifierErrorCode,
    message: string,
    fields: { status?: number; vendorCode?: string | number; vendorMessage?: string },
    extra: { cause?: unknown; isRetryable: boolean; details?: Record<string, unknown> },
  ) =>
    new NotifierError(
      redact(`${notifier}: ${message}`),
      {
        notifier,
        ...fields,
        ...(fields.vendorMessage === undefined ? {} : { vendorMessage: redact(fields.vendorMessage) }),
      },
      {
        code,
        isRetryable: extra.isRetryable,
        ...(extra.cause === undefined ? {} : { cause: redactError(extra.cause, secrets) }),
        details: redactValue({ url, ...extra.details }, secrets) as Record<string, unknown>,
      },
    );

  return {
    aborted: (reason: unknown) =>
      make('NOTIFIER_ABORTED', 'delivery aborted', {}, { cause: reason, isRetryable: false }),
    from(outcome: Exclude<AttemptOutcome, { type: 'aborted' }>, attempts: number): NotifierError {
      const after = attempts > 1 ? ` (after ${attempts} attempts)` : '';
      if (outcome.type === 'timeout') {
        return make('NOTIFIER_TIMEOUT', `no answer in time${after}`, {}, { isRetryable: true, details: { attempts } });
      }
      if (outcome.type === 'network') {
        const cause = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
        const reason = describeNetworkError(cause);
        return make(
          'NOTIFIER_NETWORK',
          `network error: ${reason}${after}`,
          {},
          { cause, isRetryable: true, details: { attempts } },
        );
      }
      const { status, failure } = outcome;
      const retryable = status === 408 || status === 429 || status >= 500;
      const code: NotifierErrorCode = retryable
        ? 'NOTIFIER_UNAVAILABLE'
        : status === 401 || status === 403
          ? 'NOTIFIER_AUTH'
          : 'NOTIFIER_REJECTED';
      const vendorCode = failure?.vendorCode;
      const vendorMessage = failure?.vendorMessage;
      const said = [vendorCode === undefined ? '' : `code ${vendorCode}`, vendorMessage ?? '']
        .filter((part) => part !== '')
        .join(': ');
      return make(
        code,
        `HTTP ${status}${said === '' ? '' : `, ${said}`}${after}`,
        {
          status,
          ...(vendorCode === undefined ? {} : { vendorCode }),
          ...(vendorMessage === undefined ? {} : { vendorMessage }),
        },
        {
          isRetryable: retryable,
          details: { attempts, status, ...failure?.details, retryAfterMs: outcome.retryAfterMs },
        },
      );
    },
  };
}

function describeNetworkError(error: Error): string {
  // undici says only "fetch failed"; the useful part (ECONNREFUSED, "other side closed") is in the cause.
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads the common shapes of an error body: `{code, message}`, `{error_code, description}`, `{error}`, or text. */
function defaultParseFailure(body: unknown): VendorFailure {
  if (typeof body === 'string') {
    const text = body.replace(/\s+/g, ' ').trim();
    return text === '' ? {} : { vendorMessage: text.slice(0, BODY_QUOTE_MAX) };
  }
  if (body === null || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const code = record.code ?? record.error_code;
  const message = record.message ?? record.description ?? record.error;
  return {
    ...(typeof code === 'string' || typeof code === 'number' ? { vendorCode: code } : {}),
    ...(typeof message === 'string' ? { vendorMessage: message.slice(0, BODY_QUOTE_MAX) } : {}),
  };
}

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal === undefined ? undefined : { signal });
}
