import { ConfigError, type DeliveryOptions, type Notifier, NotifierError } from '@witness-trap/core';
import { callBotApi } from './bot-api.js';
import { renderTelegramMessage, type TelegramParseMode } from './render.js';

/** Options of {@link telegramNotifier}. */
export interface TelegramNotifierOptions extends DeliveryOptions {
  /** The bot's token from \@BotFather (`123456:ABC-DEF...`). It travels in the URL path; it never appears in errors. */
  botToken: string;
  /**
   * The chat to post to: a user or group id (`-1001234567890`) or a channel's `@username`; or several, each of
   * which gets every message.
   */
  chatId: string | number | ReadonlyArray<string | number>;
  /**
   * The Bot API's base URL: point it at a local Bot API server or a test stand-in.
   * @default 'https://api.telegram.org'
   */
  baseUrl?: string;
  /**
   * `true`: always deliver without sound; `false`: always with sound.
   * @default silent for `info`, with sound for `warning` and `critical`
   */
  silent?: boolean;
  /** A forum topic (`message_thread_id`) to post in. */
  threadId?: number;
  /**
   * How the message is marked up; every value is escaped for it.
   * @default 'HTML'
   */
  parseMode?: TelegramParseMode;
}

/**
 * Posts each notification to a Telegram chat through the Bot API (`POST /bot<token>/sendMessage`, JSON `chat_id`,
 * `text`, `parse_mode`, `disable_notification`, `message_thread_id`). The message shows the title in bold, the text,
 * and the full keys and tx id as copyable code; info arrives silently, warnings and critical news with sound.
 *
 * Resolves when Telegram answered `ok: true`. Rejects with a `NotifierError` carrying Telegram's `error_code` and
 * `description` (e.g. `401 Unauthorized`, `400 Bad Request: chat not found`) after the retries of
 * {@link DeliveryOptions}; a flood-control answer's `parameters.retry_after` is waited (capped). The bot token,
 * though part of the URL, never appears in an error.
 *
 * @example
 * const telegram = telegramNotifier({ botToken: process.env.TELEGRAM_BOT_TOKEN!, chatId: '-1001234567890' });
 */
export function telegramNotifier(options: TelegramNotifierOptions): Notifier {
  const problems: string[] = [];
  if (!options.botToken) problems.push('botToken is required');
  const given = Array.isArray(options.chatId) ? options.chatId : [options.chatId];
  if (given.length === 0 || given.some((chat) => chat === '' || chat === undefined)) {
    problems.push('chatId is required');
  }
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    problems.push('baseUrl is not an http(s) URL');
  }
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_NOTIFIER', `telegram: ${problems.join('; ')}`, { problems });
  }
  const api = {
    baseUrl: (options.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, ''),
    botToken: options.botToken,
    delivery: options,
  };
  const parseMode = options.parseMode ?? 'HTML';
  const chats = Array.isArray(options.chatId) ? options.chatId : [options.chatId];

  return {
    name: 'telegram',
    async notify(notification, signal) {
      const sends = chats.map((chatId) => {
        const payload: Record<string, unknown> = {
          chat_id: chatId,
          text: renderTelegramMessage(notification, parseMode),
          disable_notification: options.silent ?? notification.severity === 'info',
        };
        if (parseMode !== 'plain') payload.parse_mode = parseMode;
        if (options.threadId !== undefined) payload.message_thread_id = options.threadId;
        return callBotApi(api, 'sendMessage', payload, signal);
      });
      const results = await Promise.allSettled(sends);
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      const first = failures[0];
      if (first === undefined) return;
      if (chats.length === 1 || !(first instanceof NotifierError)) throw first;
      throw new NotifierError(
        `telegram: ${failures.length} of ${chats.length} chats failed: ${first.message}`,
        {
          notifier: 'telegram',
          ...(first.status === undefined ? {} : { status: first.status }),
          ...(first.vendorCode === undefined ? {} : { vendorCode: first.vendorCode }),
          ...(first.vendorMessage === undefined ? {} : { vendorMessage: first.vendorMessage }),
        },
        {
          code: first.code,
          isRetryable: failures.some((f) => f instanceof NotifierError && f.isRetryable),
          cause: first,
          details: { delivered: results.length - failures.length },
        },
      );
    },
  };
}
