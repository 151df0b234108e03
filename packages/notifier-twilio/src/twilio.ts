import {
  ConfigError,
  type DeliveryOptions,
  deliverHttp,
  type Notifier,
  NotifierError,
  type VendorFailure,
} from '@witness-trap/core';
import { toSmsBody } from './sms.js';

/** Options of {@link twilioNotifier}. Give `authToken`, or `apiKey` and `apiSecret`; give `from` or `messagingServiceSid`. */
export interface TwilioNotifierOptions extends DeliveryOptions {
  /** The account SID (`AC...`): the account the messages are sent from. */
  accountSid: string;
  /** The account's auth token (Basic auth password with the account SID). */
  authToken?: string;
  /** An API key SID (`SK...`), used with `apiSecret` instead of the auth token: revocable on its own. */
  apiKey?: string;
  /** The API key's secret. */
  apiSecret?: string;
  /** The sending number in E.164 (`+15017122661`) or an alphanumeric sender id. */
  from?: string;
  /** A Messaging Service SID (`MG...`) to send from instead of `from`. */
  messagingServiceSid?: string;
  /** Recipients in E.164; each gets its own message (one request each). */
  to: string[];
  /**
   * The API's base URL: point it at a local stand-in for drills and tests.
   * @default 'https://api.twilio.com'
   */
  baseUrl?: string;
  /**
   * The longest message, in SMS segments (GSM-7: 160 characters for one, 153 per segment beyond).
   * @default 2
   */
  maxSegments?: number;
}

/**
 * Sends each notification as an SMS through Twilio's REST API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded `To`, `From` or `MessagingServiceSid`, `Body`; HTTP Basic auth with the account SID and auth token, or
 * an API key and its secret). The body is the notification's text in the GSM-7 alphabet, at most two segments.
 *
 * Resolves when Twilio accepted a message for every recipient. Rejects with a `NotifierError` carrying Twilio's own
 * `code` and `message` (e.g. `20003 Authenticate`, `21211` invalid 'To' number) where any recipient failed after the
 * retries of {@link DeliveryOptions}; the auth token and API secret never appear in it.
 *
 * @example
 * const sms = twilioNotifier({
 *   accountSid: 'AC0123456789abcdef0123456789abcdef',
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   from: '+15017122661',
 *   to: ['+15558675310'],
 * });
 */
export function twilioNotifier(options: TwilioNotifierOptions): Notifier {
  const problems = checkOptions(options);
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_NOTIFIER', `twilio: ${problems.join('; ')}`, { problems });
  }
  const [user, password] =
    options.apiKey !== undefined && options.apiSecret !== undefined
      ? [options.apiKey, options.apiSecret]
      : [options.accountSid, options.authToken ?? ''];
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const base = (options.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const secrets = [options.authToken ?? '', options.apiSecret ?? '', authorization, authorization.slice(6)];
  const sender: [string, string] =
    options.messagingServiceSid !== undefined
      ? ['MessagingServiceSid', options.messagingServiceSid]
      : ['From', options.from ?? ''];

  return {
    name: 'twilio',
    async notify(notification, signal) {
      const body = toSmsBody(notification.text, options.maxSegments ?? 2);
      const sends = options.to.map((to) =>
        deliverHttp(
          {
            notifier: 'twilio',
            url,
            headers: {
              authorization,
              'content-type': 'application/x-www-form-urlencoded',
              accept: 'application/json',
              'user-agent': 'witness-trap',
            },
            body: new URLSearchParams([['To', to], sender, ['Body', body]]).toString(),
            secrets,
            parseFailure: parseTwilioError,
          },
          options,
          signal,
        ),
      );
      const results = await Promise.allSettled(sends);
      const failures = results.flatMap((result, i) =>
        result.status === 'rejected' ? [{ to: options.to[i] ?? '', error: result.reason as unknown }] : [],
      );
      const first = failures[0];
      if (first === undefined) return;
      if (options.to.length === 1 || !(first.error instanceof NotifierError)) throw first.error;
      throw new NotifierError(
        `twilio: SMS to ${failures.length} of ${options.to.length} recipients failed: ${first.error.message}`,
        {
          notifier: 'twilio',
          ...(first.error.status === undefined ? {} : { status: first.error.status }),
          ...(first.error.vendorCode === undefined ? {} : { vendorCode: first.error.vendorCode }),
          ...(first.error.vendorMessage === undefined ? {} : { vendorMessage: first.error.vendorMessage }),
        },
        {
          code: first.error.code,
          isRetryable: failures.some((f) => f.error instanceof NotifierError && f.error.isRetryable),
          cause: first.error,
          details: {
            failedRecipients: failures.map((f) => maskNumber(f.to)),
            delivered: results.length - failures.length,
          },
        },
      );
    },
  };
}

/** Twilio's error body: `{ code, message, more_info, status }`. */
function parseTwilioError(body: unknown): VendorFailure {
  // `code` and `message` are read by the common parser; only the link to Twilio's error page is particular.
  const moreInfo = (body as { more_info?: unknown } | null)?.more_info;
  return typeof moreInfo === 'string' ? { details: { moreInfo } } : {};
}

function checkOptions(options: TwilioNotifierOptions): string[] {
  const problems: string[] = [];
  if (!options.accountSid) problems.push('accountSid is required');
  const hasKey = Boolean(options.apiKey) || Boolean(options.apiSecret);
  if (hasKey && !(options.apiKey && options.apiSecret)) problems.push('apiKey and apiSecret go together');
  if (!hasKey && !options.authToken) problems.push('authToken (or apiKey and apiSecret) is required');
  if (!options.from && !options.messagingServiceSid) problems.push('from (or messagingServiceSid) is required');
  if (options.to.length === 0 || options.to.some((to) => to.trim() === '')) {
    problems.push('to needs at least one phone number, none empty');
  }
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    problems.push('baseUrl is not an http(s) URL');
  }
  return problems;
}

/** `+15558675310` -> `+1555***10`: enough to tell recipients apart in a log, not a full number. */
function maskNumber(number: string): string {
  return number.length <= 6 ? '***' : `${number.slice(0, 5)}***${number.slice(-2)}`;
}
