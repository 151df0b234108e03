import { ConfigError, type DeliveryOptions, type Notifier } from '@witness-trap/core';
import { type TelegramNotifierOptions, telegramNotifier } from './telegram.js';

/**
 * A Telegram notifier configured from the environment: `TELEGRAM_BOT_TOKEN`, `TELEGRAM_CHAT_ID` and optionally
 * `TELEGRAM_API_URL` (base URL). `undefined` where neither token nor chat is set; a `ConfigError` saying which is
 * missing where only one is.
 *
 * @example
 * const telegram = telegramNotifierFromEnv(process.env);
 */
export function telegramNotifierFromEnv(
  env: Record<string, string | undefined>,
  options: DeliveryOptions & Pick<TelegramNotifierOptions, 'silent' | 'threadId' | 'parseMode'> = {},
): Notifier | undefined {
  const token = env.TELEGRAM_BOT_TOKEN?.trim() ?? '';
  const chatId = env.TELEGRAM_CHAT_ID?.trim() ?? '';
  const baseUrl = env.TELEGRAM_API_URL?.trim() ?? '';
  if (token === '' && chatId === '') return undefined;
  const problems = [
    ...(token === '' ? ['TELEGRAM_BOT_TOKEN is not set'] : []),
    ...(chatId === '' ? ['TELEGRAM_CHAT_ID is not set'] : []),
  ];
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_NOTIFIER', `Telegram is half-configured: ${problems.join('; ')}`, { problems });
  }
  return telegramNotifier({ ...options, botToken: token, chatId, ...(baseUrl === '' ? {} : { baseUrl }) });
}
