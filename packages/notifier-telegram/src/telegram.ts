import {
  ConfigError,
  type DeliveryOptions,
  deliverHttp,
  type Notifier,
  NotifierError,
  redactText,
  type VendorFailure,
} from '@witness-trap/core';
import { renderTelegramMessage, type TelegramParseMode } from './render.js';

/** Options of {@link telegramNotifier}. */
export interface TelegramNotifierOptions extends DeliveryOptions {
  /** The bot's token from \@BotFather (`123456:ABC-DEF...`). It travels in the URL path; it never appears in errors. */
  botToken: string;
  /** The chat to post to: a user or group id (`-1001234567890`) or a channel's `@username`. */
  chatId: string | number;
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
  if (options.chatId === '' || options.chatId === undefined) problems.push('chatId is required');
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    problems.push('baseUrl is not an http(s) URL');
  }
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_NOTIFIER', `telegram: ${problems.join('; ')}`, { problems });
  }
  const base = (options.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const url = `${base}/bot${options.botToken}/sendMessage`;
  const parseMode = options.parseMode ?? 'HTML';

  return {
    name: 'telegram',
    async notify(notification, signal) {
      const payload: Record<string, unknown> = {
        chat_id: options.chatId,
        text: renderTelegramMessage(notification, parseMode),
        disable_notification: options.silent ?? notification.severity === 'info',
      };
      if (parseMode !== 'plain') payload.parse_mode = parseMode;
      if (options.threadId !== undefined) payload.message_thread_id = options.threadId;
      const { body } = await deliverHttp(
        {
          notifier: 'telegram',
          url,
          headers: { 'content-type': 'application/json', 'user-agent': 'witness-trap' },
          body: JSON.stringify(payload),
          secrets: [options.botToken],
          parseFailure: parseTelegramError,
        },
        options,
        signal,
      );
      // Telegram pairs its HTTP status with `ok`; a 2xx without `ok: true` is not a delivery we can vouch for.
      const answer = (typeof body === 'object' ? body : null) as TelegramAnswer | null;
      if (answer?.ok !== true) {
        const said =
          typeof answer?.description === 'string' ? redactText(answer.description, [options.botToken]) : undefined;
        throw new NotifierError(
          `telegram: answer without ok: true${said === undefined ? '' : `: ${said}`}`,
          {
            notifier: 'telegram',
            ...(typeof answer?.error_code === 'number' ? { vendorCode: answer.error_code } : {}),
            ...(said === undefined ? {} : { vendorMessage: said }),
          },
          { code: 'NOTIFIER_REJECTED' },
        );
      }
    },
  };
}

/** The Bot API's answer envelope. */
interface TelegramAnswer {
  ok?: unknown;
  error_code?: unknown;
  description?: unknown;
}

/** Telegram's error body: `{ ok: false, error_code, description, parameters?: { retry_after, migrate_to_chat_id } }`. */
function parseTelegramError(body: unknown): VendorFailure {
  // `error_code` and `description` are read by the common parser; the flood-control hint is particular.
  const params = ((body as { parameters?: unknown } | null)?.parameters ?? {}) as {
    retry_after?: unknown;
    migrate_to_chat_id?: unknown;
  };
  return {
    ...(typeof params.retry_after === 'number' ? { retryAfterMs: params.retry_after * 1000 } : {}),
    ...(params.migrate_to_chat_id === undefined ? {} : { details: { migrateToChatId: params.migrate_to_chat_id } }),
  };
}
