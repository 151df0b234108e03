import { ConfigError, type DeliveryOptions, type Notifier } from '@witness-trap/core';
import { type TelegramRemote, type TelegramRemoteOptions, telegramRemote } from './remote.js';
import { type TelegramNotifierOptions, telegramNotifier } from './telegram.js';

/**
 * A Telegram notifier configured from the environment: `TELEGRAM_BOT_TOKEN`, `TELEGRAM_CHAT_ID` (one chat, or a
 * comma-separated list: each gets every message) and optionally
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
  const chats = chatId.split(',').map((chat) => chat.trim());
  return telegramNotifier({
    ...options,
    botToken: token,
    chatId: chats.length === 1 ? chatId : chats,
    ...(baseUrl === '' ? {} : { baseUrl }),
  });
}

/**
 * The Telegram remote control configured from the environment, as the notifier is: `TELEGRAM_BOT_TOKEN`,
 * `TELEGRAM_CHAT_ID` (comma-separated: the only chats obeyed) and optionally `TELEGRAM_API_URL`. Throws a
 * `ConfigError` naming what is missing: a remote control without its token or its chats cannot be asked for.
 *
 * @example
 * const remote = telegramRemoteFromEnv(process.env, { control: trap });
 * remote.start();
 */
export function telegramRemoteFromEnv(
  env: Record<string, string | undefined>,
  options: Omit<TelegramRemoteOptions, 'botToken' | 'chatIds' | 'baseUrl'>,
): TelegramRemote {
  const token = env.TELEGRAM_BOT_TOKEN?.trim() ?? '';
  const chats = (env.TELEGRAM_CHAT_ID ?? '')
    .split(',')
    .map((chat) => chat.trim())
    .filter((chat) => chat !== '');
  const baseUrl = env.TELEGRAM_API_URL?.trim() ?? '';
  const problems = [
    ...(token === '' ? ['--remote-control telegram needs TELEGRAM_BOT_TOKEN'] : []),
    ...(chats.length === 0 ? ['--remote-control telegram needs TELEGRAM_CHAT_ID (the chats it obeys)'] : []),
  ];
  if (problems.length > 0) throw new ConfigError('CONFIG_REMOTE', problems.join('; '), { problems });
  return telegramRemote({ ...options, botToken: token, chatIds: chats, ...(baseUrl === '' ? {} : { baseUrl }) });
}
