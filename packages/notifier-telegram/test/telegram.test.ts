import { formatNotification, NotifierError, type TrapNotification } from '@witness-trap/core';
import {
  describeNotifierConformance,
  type FakeTelegramSent,
  startFakeTelegram,
  startVendorServer,
  type VendorServer,
} from '@witness-trap/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderTelegramMessage, type TelegramParseMode, telegramNotifier } from '../src/index.js';

const TOKEN = '123456789:AAH-fake_TelegramBotToken0123456789';

/** The Bot API's documented answers: `{ok: true, result: Message}`, or `{ok: false, error_code, description}`. */
const sent = {
  status: 200,
  body: { ok: true, result: { message_id: 77, date: 1764039600, chat: { id: -1001234567890, type: 'supergroup' } } },
};
const botError = (status: number, description: string, parameters?: Record<string, unknown>) => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

describeNotifierConformance(
  { describe, it },
  {
    name: 'telegram',
    secrets: [TOKEN],
    create: (server, delivery) =>
      telegramNotifier({ botToken: TOKEN, chatId: '-1001234567890', baseUrl: server.url, ...delivery }),
    responses: {
      success: sent,
      unauthorized: botError(401, 'Unauthorized'),
      badRequest: botError(400, 'Bad Request: chat not found'),
      rateLimited: botError(429, 'Too Many Requests: retry after 4', { retry_after: 4 }),
    },
    rateLimitHintMs: 4000,
    vendorCodes: { unauthorized: 401, badRequest: 400 },
  },
);

const FROM = 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4';
const TO = 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX';
const failed = formatNotification({
  kind: 'failed',
  witness: 'alice',
  facts: { fromKey: FROM, toKey: TO, attempts: 2, error: 'missing authority <active> & [key] (x_y).' },
});
const confirmed = formatNotification({
  kind: 'confirmed',
  witness: 'alice',
  facts: { fromKey: FROM, toKey: TO, blockNum: 91234567, txId: 'ab12' },
});

describe('telegramNotifier', () => {
  let server: VendorServer;
  beforeEach(async () => {
    server = await startVendorServer();
    server.respondWith(sent);
  });
  afterEach(async () => {
    await server.close();
  });

  it('posts JSON to /bot<token>/sendMessage with HTML escaped and full keys as code, loud for critical news', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: '-1001234567890', baseUrl: server.url }).notify(failed);
    const [request] = server.requests;
    expect(request?.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(request?.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(request?.body ?? '');
    expect(payload).toEqual({
      chat_id: '-1001234567890',
      parse_mode: 'HTML',
      disable_notification: false,
      text: expect.any(String),
    });
    const lines = (payload.text as string).split('\n');
    expect(lines[0]).toBe('\u{1F6A8} <b>witness-trap: alice key switch FAILED</b>');
    expect(lines[1]).toContain('STM6LLeg...SCkg4 -&gt; STM8GC13...53XTX');
    expect(lines[1]).toContain('missing authority &lt;active&gt; &amp; [key] (x_y).');
    expect(lines).toContain(`from: <code>${FROM}</code>`);
    expect(lines).toContain(`to: <code>${TO}</code>`);
  });

  it('sends every message to each of several chats, and says how many failed', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: ['42', '-100777'], baseUrl: server.url }).notify(confirmed);
    expect(server.requests.map((r) => JSON.parse(r.body).chat_id).sort()).toEqual(['-100777', '42']);
    server.respondWith((request) =>
      JSON.parse(request.body).chat_id === '42' ? sent : botError(400, 'Bad Request: chat not found'),
    );
    const error = await telegramNotifier({
      botToken: TOKEN,
      chatId: ['42', '-100777'],
      baseUrl: server.url,
      retries: 0,
    })
      .notify(confirmed)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).message).toMatch(/^telegram: 1 of 2 chats failed/);
  });

  it('delivers info silently into a forum topic', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: 42, threadId: 7, baseUrl: server.url }).notify(confirmed);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({
      chat_id: 42,
      message_thread_id: 7,
      disable_notification: true,
    });
  });

  it('lets the operator force sound or silence', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: 1, silent: false, baseUrl: server.url }).notify(confirmed);
    await telegramNotifier({ botToken: TOKEN, chatId: 1, silent: true, baseUrl: server.url }).notify(failed);
    expect(server.requests.map((r) => JSON.parse(r.body).disable_notification)).toEqual([false, true]);
  });

  it('escapes every MarkdownV2 special character outside the markup', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: 1, parseMode: 'MarkdownV2', baseUrl: server.url }).notify(failed);
    const text: string = JSON.parse(server.requests[0]?.body ?? '').text;
    expect(JSON.parse(server.requests[0]?.body ?? '').parse_mode).toBe('MarkdownV2');
    // Outside *bold* and `code` entities, every special character must be preceded by a backslash.
    const outside = text.replace(/`[^`]*`/g, '').replace(/^(\S+ )\*(.*)\*$/m, '$1$2');
    const unescaped = outside.replace(/\\./g, '').match(/[_*[\]()~`>#+\-=|{}.!]/g);
    expect(unescaped).toBeNull();
    expect(text).toContain(`\`${FROM}\``);
  });

  it('sends plain text without a parse_mode', async () => {
    await telegramNotifier({ botToken: TOKEN, chatId: 1, parseMode: 'plain', baseUrl: server.url }).notify(failed);
    const payload = JSON.parse(server.requests[0]?.body ?? '');
    expect(payload.parse_mode).toBeUndefined();
    expect(payload.text).toContain('missing authority <active> & [key] (x_y).');
  });

  it("carries Telegram's error_code and description, and the chat it migrated to", async () => {
    server.respondWith(
      botError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -100777 }),
    );
    const error = await telegramNotifier({ botToken: TOKEN, chatId: -777, baseUrl: server.url })
      .notify(failed)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect(error).toMatchObject({
      code: 'NOTIFIER_REJECTED',
      vendorCode: 400,
      vendorMessage: 'Bad Request: group chat was upgraded to a supergroup chat',
      details: expect.objectContaining({ migrateToChatId: -100777 }),
    });
  });

  it('does not call an answer without ok: true a delivery', async () => {
    server.respondWith({ status: 200, body: { ok: false, error_code: 400, description: 'odd' } });
    await expect(
      telegramNotifier({ botToken: TOKEN, chatId: 1, baseUrl: server.url }).notify(failed),
    ).rejects.toMatchObject({ code: 'NOTIFIER_REJECTED', vendorMessage: 'odd' });
  });
});

describe('telegramNotifier, against the fake Bot API', () => {
  it('reports a 403 (bot blocked or removed from the chat) as NOTIFIER_BLOCKED with what to do, not as wrong credentials', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN, chats: ['4242'] });
    try {
      telegram.fail('sendMessage', { status: 403 });
      const notifier = telegramNotifier({ botToken: TOKEN, chatId: '4242', baseUrl: telegram.url, retries: 0 });
      const error = await notifier.notify(failed).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotifierError);
      expect(error).toMatchObject({ code: 'NOTIFIER_BLOCKED', status: 403, isRetryable: false });
      expect((error as Error).message).toMatch(/blocked by the user.*Unblock the bot/);
      expect((error as Error).message).not.toContain(TOKEN);
      expect(telegram.sent).toEqual([]);
    } finally {
      await telegram.close();
    }
  });
});

/** Sends `notification` through the notifier to a fresh fake Bot API (which knows chat 4242) and returns what it got. */
async function sendThroughFake(
  notification: TrapNotification,
  parseMode: TelegramParseMode,
): Promise<FakeTelegramSent> {
  const telegram = await startFakeTelegram({ token: TOKEN, chats: ['4242'] });
  try {
    await telegramNotifier({ botToken: TOKEN, chatId: '4242', parseMode, baseUrl: telegram.url, retries: 0 }).notify(
      notification,
    );
    const [message] = telegram.sent;
    if (message === undefined) throw new Error('the fake Bot API received no message');
    return message;
  } finally {
    await telegram.close();
  }
}

describe('telegramNotifier, a long list of tried keys', () => {
  for (const parseMode of ['HTML', 'MarkdownV2', 'plain'] as const) {
    it(`${parseMode}: fits an exhausted alert with 90 tried keys into 4096 characters and says how many were left out`, async () => {
      const keys = Array.from({ length: 90 }, (_, i) => `STM${String(i).padStart(50, '0')}`);
      // A witness name and an error full of characters to escape: the markup is longer than the text shown.
      const exhausted = formatNotification({
        kind: 'failed',
        witness: 'good-karma.v2',
        facts: {
          fromKey: FROM,
          toKey: TO,
          attempts: 2,
          error: `all keys tried ${'<&>.-_'.repeat(40)}`,
          triedKeys: keys.join(','),
        },
      });
      const message = await sendThroughFake(exhausted, parseMode);
      // The fake refuses a text over 4096 characters after parsing, as Telegram does: it was accepted.
      const shown = message.shown;
      expect([...shown].length).toBeLessThanOrEqual(4096);
      const left = Number(/\.\.\. and (\d+) more/.exec(shown)?.[1]);
      expect(left).toBeGreaterThan(0);
      const listed = (shown.split('tried:')[1] ?? '').split('\n').filter((line) => line.startsWith('STM'));
      expect(listed).toEqual(keys.slice(0, 90 - left));
      // Not shortened more than it must be: within two key lines (53 characters and a line break each) of the limit.
      expect([...shown].length).toBeGreaterThan(4096 - 2 * 54);
    });
  }
});

describe('telegramNotifier, a notification made by hand with a long title and text', () => {
  for (const parseMode of ['HTML', 'MarkdownV2', 'plain'] as const) {
    it(`${parseMode}: cuts the text (and a title over 256 characters) to fit 4096 characters, keeping the keys whole`, async () => {
      const base = formatNotification({
        kind: 'failed',
        witness: 'good-karma.v2',
        facts: { fromKey: FROM, toKey: TO },
      });
      const long = { ...base, title: `T${'<&>._'.repeat(100)}`, text: `${'\u{1F6A8}<&>.-_*'.repeat(700)}end` };
      const message = await sendThroughFake(long, parseMode);
      expect([...message.shown].length).toBeLessThanOrEqual(4096);
      expect(message.shown).toMatch(/\.\.\. \(\d+ characters cut\)/);
      expect(message.shown).not.toContain('end');
      expect(message.shown.split('\n').slice(-2)).toEqual([`from: ${FROM}`, `to: ${TO}`]);
    });
  }
});

describe('telegramNotifier, a long text of emoji', () => {
  it('never cuts an emoji in half (Telegram refuses half of a surrogate pair), wherever the cut falls', async () => {
    const base = formatNotification({ kind: 'failed', witness: 'alice', facts: { fromKey: FROM, toKey: TO } });
    for (let pad = 0; pad < 4; pad++) {
      const message = await sendThroughFake(
        { ...base, text: `${'x'.repeat(pad)}${'\u{1F6A8}'.repeat(3000)}` },
        'plain',
      );
      expect(message.shown).toMatch(/characters cut\)/);
    }
  });
});

describe('telegramNotifier, escaping through the fake Bot API', () => {
  // Every character HTML or MarkdownV2 reserves, markup that must stay text, entities that must not be decoded, a
  // backslash, a code span's backtick, and an emoji (two UTF-16 units).
  const NASTY = `<b>bold?</b> &amp; &lt; &#33; & < > " ' _*[]()~\`>#+-=|{}.! \\ \\. *x* _y_ ||z|| [l](http://e.x) \u{1F6A8}`;
  const WITNESS = 'good-karma.v2';
  const notification = (() => {
    const n = formatNotification({
      kind: 'failed',
      witness: WITNESS,
      facts: { fromKey: `${FROM}\`\\<&>_*.`, toKey: TO, attempts: 1, error: NASTY },
    });
    return { ...n, title: `${n.title} ${NASTY}` };
  })();

  for (const parseMode of ['HTML', 'MarkdownV2'] as const) {
    it(`${parseMode}: the text a user sees is exactly the plain text meant, with the title bold and the keys as code`, async () => {
      const message = await sendThroughFake(notification, parseMode);
      expect(message.parseMode).toBe(parseMode);
      // The fake parsed it as Telegram does (400 otherwise); what it shows is the plain rendering, character for character.
      const meant = renderTelegramMessage(notification, 'plain');
      expect(message.shown).toBe(meant);
      expect(meant).toContain(WITNESS);
      expect(meant).toContain(NASTY);
      const spans = (type: string) =>
        message.entities.filter((e) => e.type === type).map((e) => message.shown.slice(e.offset, e.offset + e.length));
      expect(spans('bold')).toEqual([notification.title]);
      expect(spans('code')).toEqual([notification.facts.fromKey, TO]);
      // Nothing in the text became a link, a spoiler or any other entity.
      expect(message.entities.map((e) => e.type).sort()).toEqual(['bold', 'code', 'code']);
    });
  }

  it('plain: sent as is, with no parse_mode', async () => {
    const message = await sendThroughFake(notification, 'plain');
    expect(message.parseMode).toBeUndefined();
    expect(message.shown).toContain(NASTY);
  });
});
