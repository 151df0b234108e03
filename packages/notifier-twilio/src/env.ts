import type { Notifier } from '@witness-trap/core';
import { ConfigError, type DeliveryOptions } from '@witness-trap/core';
import { type TwilioNotifierOptions, twilioNotifier } from './twilio.js';

/** The environment variables {@link twilioNotifierFromEnv} reads. */
export const TWILIO_ENV = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY',
  'TWILIO_API_SECRET',
  'TWILIO_FROM',
  'TWILIO_MESSAGING_SERVICE_SID',
  'TWILIO_TO',
  'TWILIO_API_URL',
] as const;

/**
 * A Twilio notifier configured from the environment: `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` (or `TWILIO_API_KEY`
 * and `TWILIO_API_SECRET`), `TWILIO_FROM` (or `TWILIO_MESSAGING_SERVICE_SID`), `TWILIO_TO` (comma-separated) and
 * optionally `TWILIO_API_URL` (base URL). `undefined` where none of them is set (Twilio is not wanted); a
 * `ConfigError` listing what is missing where only some are (a half-configured alarm is worse than none, because it
 * looks configured).
 *
 * @example
 * const sms = twilioNotifierFromEnv(process.env);
 * const notifiers = sms ? [sms] : [];
 */
export function twilioNotifierFromEnv(
  env: Record<string, string | undefined>,
  delivery: DeliveryOptions = {},
): Notifier | undefined {
  const get = (name: (typeof TWILIO_ENV)[number]) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const configured = TWILIO_ENV.filter((name) => name !== 'TWILIO_API_URL' && get(name) !== undefined);
  if (configured.length === 0) return undefined;

  const to = (get('TWILIO_TO') ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const problems: string[] = [];
  if (!get('TWILIO_ACCOUNT_SID')) problems.push('TWILIO_ACCOUNT_SID is not set');
  const hasKey = get('TWILIO_API_KEY') !== undefined || get('TWILIO_API_SECRET') !== undefined;
  if (hasKey && !(get('TWILIO_API_KEY') && get('TWILIO_API_SECRET'))) {
    problems.push('TWILIO_API_KEY and TWILIO_API_SECRET must be set together');
  }
  if (!hasKey && !get('TWILIO_AUTH_TOKEN')) problems.push('TWILIO_AUTH_TOKEN is not set');
  if (!get('TWILIO_FROM') && !get('TWILIO_MESSAGING_SERVICE_SID')) {
    problems.push('TWILIO_FROM (or TWILIO_MESSAGING_SERVICE_SID) is not set');
  }
  if (to.length === 0) problems.push('TWILIO_TO is not set (comma-separated phone numbers)');
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_NOTIFIER', `Twilio is half-configured: ${problems.join('; ')}`, { problems });
  }

  const options: TwilioNotifierOptions = { ...delivery, accountSid: get('TWILIO_ACCOUNT_SID') ?? '', to };
  const optional = {
    authToken: get('TWILIO_AUTH_TOKEN'),
    apiKey: get('TWILIO_API_KEY'),
    apiSecret: get('TWILIO_API_SECRET'),
    from: get('TWILIO_FROM'),
    messagingServiceSid: get('TWILIO_MESSAGING_SERVICE_SID'),
    baseUrl: get('TWILIO_API_URL'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(options, { [key]: value });
  }
  return twilioNotifier(options);
}
