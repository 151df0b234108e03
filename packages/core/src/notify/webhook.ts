import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError, NotifierError } from '../errors.js';
import type { Notifier, TrapNotification } from '../types.js';
import { type DeliveryOptions, deliverHttp } from './http.js';
import { redactText } from './redact.js';

/** The header that carries the webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-witness-trap-signature';

/** Options of {@link webhookNotifier}. */
export interface WebhookNotifierOptions extends DeliveryOptions {
  /**
   * Where to POST. Treated as a secret in errors beyond its origin: Discord and Slack webhook URLs carry a token in
   * their path.
   */
  url: string;
  /**
   * Signs each request with HMAC-SHA256 so the receiver can tell it came from us (see {@link verifyWebhookSignature}).
   * @default no signature
   */
  secret?: string;
  /** Extra headers (e.g. `Authorization` for ntfy). Their values are kept out of errors. */
  headers?: Record<string, string>;
  /**
   * Shapes the body. An object is sent as JSON, a string as `text/plain`. Presets: {@link webhookFormats}.
   * @default the whole notification as JSON
   */
  format?: (notification: TrapNotification) => unknown;
  /**
   * The notifier's name in logs and events.
   * @default 'webhook'
   */
  name?: string;
}

/**
 * Sends each notification as an HTTP POST to a URL: your own receiver (the whole `TrapNotification` as JSON), or
 * Discord, Slack or ntfy with a {@link webhookFormats} preset.
 *
 * With `secret`, every request carries `X-Witness-Trap-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
 * HMAC-SHA256 keyed with the secret over `<t>.<raw body>`. A receiver recomputes it over the raw body it got,
 * compares in constant time, and rejects a `t` older than a few minutes (replay); {@link verifyWebhookSignature}
 * does all three.
 *
 * Retries, timeout and abort follow {@link DeliveryOptions}; errors are `NotifierError`s with the receiver's status.
 *
 * @example
 * const discord = webhookNotifier({ url: process.env.DISCORD_WEBHOOK_URL!, format: webhookFormats.discord });
 * const mine = webhookNotifier({ url: 'https://ops.example/hooks/witness', secret: process.env.HOOK_SECRET });
 */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  const url = parseUrl(options.url);
  const name = options.name ?? 'webhook';
  const secrets = [
    options.secret ?? '',
    ...Object.values(options.headers ?? {}),
    // Everything after the origin may be a token (Discord, Slack); the origin alone still says where it went.
    url.pathname.length > 1 ? url.pathname.slice(1) : '',
    url.search.slice(1),
    url.username,
    url.password,
  ];
  return {
    name,
    async notify(notification, signal) {
      let shaped: unknown;
      try {
        shaped = options.format ? options.format(notification) : notification;
      } catch (error) {
        throw new NotifierError(
          `${name}: the format hook failed: ${redactText(error instanceof Error ? error.message : String(error), secrets)}`,
          { notifier: name },
          { code: 'NOTIFIER_FORMAT' },
        );
      }
      const body = typeof shaped === 'string' ? shaped : JSON.stringify(shaped);
      const headers: Record<string, string> = {
        'content-type': typeof shaped === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        'user-agent': 'witness-trap',
        ...options.headers,
      };
      if (options.secret !== undefined) {
        headers[WEBHOOK_SIGNATURE_HEADER] = signWebhookBody(body, options.secret, Math.floor(Date.now() / 1000));
      }
      await deliverHttp({ notifier: name, url: url.href, headers, body, secrets }, options, signal);
    },
  };
}

/**
 * The signature header value for `body`: `t=<timestampSec>,v1=<hex HMAC-SHA256(secret, "<timestampSec>.<body>")>`.
 */
export function signWebhookBody(body: string, secret: string, timestampSec: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${digest}`;
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The `X-Witness-Trap-Signature` header as received. */
  header: string | undefined;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  secret: string;
  /**
   * How old a signature may be, seconds (a replay guard).
   * @default 300
   */
  toleranceSec?: number;
  /**
   * Now, epoch ms.
   * @default Date.now()
   */
  now?: number;
}

/**
 * For receivers: whether a request really came from a witness-trap holding `secret`, recently.
 *
 * @example
 * // in an HTTP handler, with the raw body as a string:
 * if (!verifyWebhookSignature({ header: req.headers['x-witness-trap-signature'], body: raw, secret })) return 401;
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  const fields = new Map(
    (options.header ?? '').split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(fields.get('t'));
  const given = fields.get('v1');
  if (!Number.isInteger(t) || given === undefined || !/^[0-9a-f]{64}$/.test(given)) return false;
  const ageSec = (options.now ?? Date.now()) / 1000 - t;
  if (Math.abs(ageSec) > (options.toleranceSec ?? 300)) return false;
  const expected = signWebhookBody(options.body, options.secret, t).slice(`t=${t},v1=`.length);
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

/**
 * Body shapes for popular receivers, for {@link WebhookNotifierOptions.format}.
 *
 * @example
 * webhookNotifier({ url: 'https://ntfy.sh', format: webhookFormats.ntfy('my-witness') });
 */
export const webhookFormats = {
  /**
   * `{ content }`, for a Discord channel webhook URL. Markdown characters in the text are escaped so a title
   * can't turn into formatting.
   */
  discord: (n: TrapNotification): unknown => ({
    content: `**${escapeDiscord(n.title)}**\n${escapeDiscord(n.text)}`,
  }),
  /** `{ text }`, for a Slack incoming webhook URL. `&`, `<` and `>` are escaped as Slack requires. */
  slack: (n: TrapNotification): unknown => ({ text: `*${escapeSlack(n.title)}*\n${escapeSlack(n.text)}` }),
  /**
   * ntfy's JSON publish (`{ topic, title, message, priority, tags }`) to `topic`, POSTed to the server's root URL
   * (e.g. `https://ntfy.sh`, not the topic URL); critical news gets ntfy's top priority (5), warnings 4.
   */
  ntfy:
    (topic: string) =>
    (n: TrapNotification): unknown => ({
      topic,
      title: n.title,
      message: n.text,
      priority: n.severity === 'critical' ? 5 : n.severity === 'warning' ? 4 : 3,
      tags: [n.severity === 'critical' ? 'rotating_light' : n.severity === 'warning' ? 'warning' : 'white_check_mark'],
    }),
} as const;

function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|>]/g, (c) => `\\${c}`);
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function parseUrl(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below without the URL itself, which may carry a token.
  }
  throw new ConfigError('CONFIG_NOTIFIER', 'webhook url is not an http(s) URL');
}
