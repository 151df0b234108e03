/**
 * The fake Bot API answers as the Bot API server (tdlib/telegram-bot-api `Client.cpp`, tdlib `MessageEntity.cpp`)
 * does where a client can get it wrong: concurrent long polls, and what `sendMessage` refuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, parseTelegramText, startFakeTelegram } from '../src/testing/index.js';

const TOKEN = '123456789:AAH-fake_TelegramBotToken0123456789';
let telegram: FakeTelegram | undefined;

afterEach(async () => {
  await telegram?.close();
  telegram = undefined;
});

/** One Bot API call, as a client sends it: its HTTP status, its body, and how long it took. */
async function call(method: string, params: Record<string, unknown>) {
  const startedAt = Date.now();
  const response = await fetch(`${telegram?.url}/bot${TOKEN}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as { ok: boolean; result?: unknown; description?: string };
  return { status: response.status, body, ms: Date.now() - startedAt };
}

describe('fake Telegram getUpdates: concurrent long polls as the server handles them', () => {
  it('a poll answered at once leaves a held one alone; one that would wait ends it with 409; a repeated 409 comes 3 s late', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    const first = call('getUpdates', { offset: 1, timeout: 10 });
    await telegram.waitForPolls(1);
    // timeout 0: answered at once, and the held poll goes on. (Another offset: the same one again within 3 s would be
    // held 3 s by the server, so it would wait, and end the held poll.)
    expect(await call('getUpdates', { offset: 2, timeout: 0 })).toMatchObject({ status: 200, body: { result: [] } });
    // A poll with updates ready is answered at once too, and leaves the held poll alone.
    const id = telegram.message(42, 'hello');
    const held = await first;
    expect(held.status).toBe(200);
    expect((held.body.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([id]);

    // A poll that would wait ends the one held: 409, at once the first time.
    const second = call('getUpdates', { offset: id + 1, timeout: 10 });
    await telegram.waitForPolls(3);
    const third = call('getUpdates', { offset: id + 1, timeout: 10 });
    const ended = await second;
    expect(ended.status).toBe(409);
    expect(ended.body.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    // Another conflict within 3 s: the server answers it 3 s late, so two pollers fighting cannot spin.
    await telegram.waitForPolls(4);
    const conflictAt = Date.now();
    const fourth = call('getUpdates', { offset: id + 1, timeout: 10 });
    const late = await third;
    expect(late.status).toBe(409);
    expect(Date.now() - conflictAt).toBeGreaterThanOrEqual(2900);
    telegram.message(42, 'for the last poller');
    expect((await fourth).status).toBe(200);
  });

  it('holds a repeated short poll with the same offset for 3 s (a client polling with timeout 0 slows down)', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    expect((await call('getUpdates', { offset: 5, timeout: 0 })).ms).toBeLessThan(1000);
    const again = await call('getUpdates', { offset: 5, timeout: 0 });
    expect(again.status).toBe(200);
    expect(again.ms).toBeGreaterThanOrEqual(2900);
  });
});

describe('fake Telegram sendMessage: what the server refuses', () => {
  const send = (params: Record<string, unknown>) => call('sendMessage', params);
  const refused = (description: string) => ({ status: 400, body: { ok: false, description } });

  it('refuses a missing, unknown chat; knows a chat from its option or once it wrote to the bot', async () => {
    telegram = await startFakeTelegram({ token: TOKEN, chats: ['-1001'] });
    expect(await send({ text: 'hi' })).toMatchObject(refused('Bad Request: chat_id is empty'));
    expect(await send({ chat_id: 42, text: 'hi' })).toMatchObject(refused('Bad Request: chat not found'));
    expect(await send({ chat_id: '-1001', text: 'hi' })).toMatchObject({ status: 200 });
    telegram.message(42, '/start');
    expect(await send({ chat_id: 42, text: 'hi' })).toMatchObject({ status: 200 });
    expect(telegram.sent.map((m) => m.chatId)).toEqual(['-1001', '42']);
  });

  it('refuses an empty text, one empty after parsing, and one over 4096 characters after parsing', async () => {
    telegram = await startFakeTelegram({ token: TOKEN, chats: [1] });
    expect(await send({ chat_id: 1, text: '' })).toMatchObject(refused('Bad Request: message text is empty'));
    expect(await send({ chat_id: 1, text: ' <b> </b>\n', parse_mode: 'HTML' })).toMatchObject(
      refused('Bad Request: text must be non-empty'),
    );
    // 4096 characters shown, from 16 384 characters of HTML: accepted; one more character: refused.
    expect(await send({ chat_id: 1, text: '&lt;'.repeat(4096), parse_mode: 'HTML' })).toMatchObject({ status: 200 });
    expect(await send({ chat_id: 1, text: `<b>${'x'.repeat(4097)}</b>`, parse_mode: 'HTML' })).toMatchObject(
      refused('Bad Request: message is too long'),
    );
    // Half of an emoji (a lone UTF-16 surrogate) is no UTF-8.
    expect(await send({ chat_id: 1, text: 'cut \uD83D' })).toMatchObject(
      refused('Bad Request: strings must be encoded in UTF-8'),
    );
    // Characters, not UTF-16 units: 4096 emoji are 8192 units and still fit.
    expect(await send({ chat_id: 1, text: '\u{1F6A8}'.repeat(4096) })).toMatchObject({ status: 200 });
    expect(telegram.sent.map((m) => [...m.shown].length)).toEqual([4096, 4096]);
  });

  it('refuses MarkdownV2 with a reserved character unescaped outside an entity, as the server words it', async () => {
    telegram = await startFakeTelegram({ token: TOKEN, chats: [1] });
    expect(await send({ chat_id: 1, text: 'good-karma.v2', parse_mode: 'MarkdownV2' })).toMatchObject(
      refused(
        "Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\\'",
      ),
    );
    expect(await send({ chat_id: 1, text: '*bold', parse_mode: 'MarkdownV2' })).toMatchObject(
      refused("Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"),
    );
    expect(await send({ chat_id: 1, text: 'x', parse_mode: 'Markdown3' })).toMatchObject(
      refused('Bad Request: unsupported parse_mode'),
    );
    expect(await send({ chat_id: 1, text: '*good\\-karma\\.v2* `a.b_c`', parse_mode: 'MarkdownV2' })).toMatchObject({
      status: 200,
    });
    expect(telegram.sent[0]).toMatchObject({
      shown: 'good-karma.v2 a.b_c',
      entities: [
        { type: 'bold', offset: 0, length: 13 },
        { type: 'code', offset: 14, length: 5 },
      ],
    });
  });

  it('refuses HTML with an unsupported tag or an unclosed one; shows an unknown &entity as is', async () => {
    telegram = await startFakeTelegram({ token: TOKEN, chats: [1] });
    expect(await send({ chat_id: 1, text: 'a <active> key', parse_mode: 'HTML' })).toMatchObject(
      refused('Bad Request: can\'t parse entities: Unsupported start tag "active" at byte offset 2'),
    );
    expect(await send({ chat_id: 1, text: '<b>x</i>', parse_mode: 'HTML' })).toMatchObject(
      refused('Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    );
    expect(await send({ chat_id: 1, text: '<code>x', parse_mode: 'HTML' })).toMatchObject(
      refused('Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "code"'),
    );
    expect(await send({ chat_id: 1, text: 'R&D &copy; &lt;&#33;&#x41;&gt; "q"', parse_mode: 'HTML' })).toMatchObject({
      status: 200,
    });
    expect(telegram.sent[0]?.shown).toBe('R&D &copy; <!A> "q"');
  });
});

describe('parseTelegramText', () => {
  it('MarkdownV2: code keeps reserved characters, escapes work everywhere, links and nesting parse', () => {
    expect(parseTelegramText('`a\\`b\\\\c_*.`', 'MarkdownV2')).toEqual({
      ok: true,
      text: 'a`b\\c_*.',
      entities: [{ type: 'code', offset: 0, length: 8 }],
    });
    expect(parseTelegramText('*b _i_* [t](http://x\\)y) \\| \\>', 'MarkdownV2')).toEqual({
      ok: true,
      text: 'b i t | >',
      entities: [
        { type: 'bold', offset: 0, length: 3 },
        { type: 'italic', offset: 2, length: 1 },
        { type: 'text_link', offset: 4, length: 1, argument: 'http://x)y' },
      ],
    });
    expect(parseTelegramText('a|b', 'MarkdownV2')).toMatchObject({ ok: false, error: expect.stringMatching(/'\|'/) });
    expect(parseTelegramText('> quote\nnext', 'MarkdownV2')).toEqual({
      ok: true,
      text: ' quote\nnext',
      entities: [{ type: 'blockquote', offset: 0, length: 7 }],
    });
  });

  it('names the innermost entity left open as the server does (a pre with a language is a PreCode)', () => {
    expect(parseTelegramText('ok ```ts\nconst x', 'MarkdownV2')).toEqual({
      ok: false,
      error: "Can't find end of PreCode entity at byte offset 3",
    });
    expect(parseTelegramText('ok ```', 'MarkdownV2')).toEqual({
      ok: false,
      error: "Can't find end of Pre entity at byte offset 3",
    });
    expect(parseTelegramText('__u_', 'MarkdownV2')).toEqual({
      ok: false,
      error: "Can't find end of Italic entity at byte offset 3",
    });
  });

  it('HTML: attributes quoted or not, entities without their semicolon, an empty end tag', () => {
    expect(
      parseTelegramText('<a href="http://x/?a=1&amp;b=&quot;2&quot;">l&lt</> <i k = v.1-a>i</i >', 'HTML'),
    ).toEqual({
      ok: true,
      text: 'l< i',
      entities: [
        { type: 'text_link', offset: 0, length: 2, argument: 'http://x/?a=1&b="2"' },
        { type: 'italic', offset: 3, length: 1 },
      ],
    });
    expect(parseTelegramText('<i k=v,>x</i>', 'HTML')).toEqual({
      ok: false,
      error: 'Unexpected end of name token at byte offset 5',
    });
  });

  it('no parse_mode: the text as is', () => {
    expect(parseTelegramText('<b>*x*</b>', undefined)).toEqual({ ok: true, text: '<b>*x*</b>', entities: [] });
  });
});
