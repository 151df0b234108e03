import { type DeliveryOptions, deliverHttp, NotifierError, redactText, type VendorFailure } from '@witness-trap/core';

/** Where and how the Bot API is called. */
export interface BotApi {
  /** `https://api.telegram.org` or a stand-in, without a trailing slash. */
  baseUrl: string;
  botToken: string;
  delivery: DeliveryOptions;
}

/**
 * Calls one Bot API method (`POST {base}/bot{token}/{method}`, JSON) and returns its `result`. Rejects with a
 * `NotifierError` carrying Telegram's `error_code`, `description` and (in `details.retryAfterMs`) a flood-control
 * hint; the token, though part of the URL, is never in an error.
 */
export async function callBotApi<T>(
  api: BotApi,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<T> {
  const { body } = await deliverHttp(
    {
      notifier: 'telegram',
      url: `${api.baseUrl}/bot${api.botToken}/${method}`,
      headers: { 'content-type': 'application/json', 'user-agent': 'witness-trap' },
      body: JSON.stringify(params),
      secrets: [api.botToken],
      parseFailure: parseTelegramError,
    },
    api.delivery,
    signal,
  ).catch((error: unknown) => {
    throw error instanceof NotifierError && error.status === 403 ? blocked(error) : error;
  });
  // Telegram pairs its HTTP status with `ok`; a 2xx without `ok: true` is not an answer we can vouch for.
  const answer = (typeof body === 'object' ? body : null) as TelegramAnswer | null;
  if (answer?.ok !== true) {
    const said = typeof answer?.description === 'string' ? redactText(answer.description, [api.botToken]) : undefined;
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
  return answer.result as T;
}

/** The Bot API's answer envelope. */
interface TelegramAnswer {
  ok?: unknown;
  result?: unknown;
  error_code?: unknown;
  description?: unknown;
}

/** Telegram's error body: `{ ok: false, error_code, description, parameters?: { retry_after, migrate_to_chat_id } }`. */
export function parseTelegramError(body: unknown): VendorFailure {
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

/**
 * Telegram's 403 is not a wrong token (that is 401): the bot was blocked by the user, removed from the group or
 * channel, or may not post there. Its own code, and a message that says what to do.
 */
function blocked(error: NotifierError): NotifierError {
  const said = error.vendorMessage ?? 'Forbidden';
  return new NotifierError(
    `telegram: ${said} (HTTP 403): the bot cannot post to this chat. Unblock the bot (open the chat, Restart), or add it to the group or channel again (as an admin who may post in a channel), then check TELEGRAM_CHAT_ID`,
    {
      notifier: 'telegram',
      status: 403,
      ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
      ...(error.vendorMessage === undefined ? {} : { vendorMessage: error.vendorMessage }),
    },
    { code: 'NOTIFIER_BLOCKED', isRetryable: false, cause: error },
  );
}
