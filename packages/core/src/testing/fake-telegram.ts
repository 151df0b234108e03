import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the bot sent (`sendMessage`), as the fake received it. */
export interface FakeTelegramSent {
  chatId: string;
  /** The text as sent, markup included. */
  text: string;
  /** The `parse_mode` sent, if any. */
  parseMode?: string;
  /** What the user sees: the text after Telegram parsed its markup (see {@link parseTelegramText}), trimmed. */
  shown: string;
  /** The formatting entities of `shown` (bold, code, ...). */
  entities: TelegramTextEntity[];
}

/** How the fake answers one Bot API call instead of its normal behaviour. */
export type FakeTelegramFault =
  /** Flood control: 429 with `parameters.retry_after` (seconds). */
  | { status: 429; retryAfter: number }
  /** Another bot instance is polling, or a webhook is set: 409. */
  | { status: 409 }
  /** The bot was blocked by the user, or removed from the group: 403 Forbidden. */
  | { status: 403 }
  /** A server error. */
  | { status: 500 | 502 | 503 }
  /** Never answer (the request stays open until the client gives up or the fake closes). */
  | { hang: true };

/** Options of one incoming message. */
export interface FakeTelegramMessageOptions {
  /** The message's `date`, epoch ms (Telegram sends whole seconds). @default now */
  date?: number;
  /** Deliver it as `edited_message` (the user edited an earlier message) instead of `message`. */
  edited?: boolean;
}

/**
 * A stand-in for the Telegram Bot API on 127.0.0.1, as strict as the Bot API server (tdlib/telegram-bot-api) where it
 * matters: `getUpdates` with long polling (`offset` confirms earlier updates, an offset ahead of the queue falls back
 * to its head and confirms nothing, `timeout` clamped to 0..50 s holds the request until an update arrives, the same
 * offset again within 0.5 s gets `limit` 1 and a repeated short poll is held 3 s; a new poll that would itself wait
 * ends a held one with 409 Conflict, and a 409 less than 3 s after the previous one is answered 3 s late),
 * `sendMessage` (its text parsed for `parse_mode` as Telegram does, {@link parseTelegramText}: 400 `can't parse
 * entities`, `message text is empty`, `strings must be encoded in UTF-8` (half an emoji), `text must be non-empty`, `message is too long` over 4096 characters after
 * parsing, `chat_id is empty`, `chat not found` for a chat the bot has no conversation with), and `getMe`. Every
 * other method answers 404.
 *
 * @example
 * const telegram = await startFakeTelegram({ token: '123:ABC' });
 * telegram.message(42, '/status');
 * await telegram.waitForSent((m) => m.chatId === '42');
 */
export interface FakeTelegram {
  /** Base URL (`TELEGRAM_API_URL`), no trailing slash. */
  readonly url: string;
  /** Everything the bot sent, oldest first. */
  readonly sent: FakeTelegramSent[];
  /** The number of `getUpdates` calls so far. */
  readonly polls: number;
  /**
   * The next update gets `update_id` `next` (the Bot API picks a random one after a week without updates, which
   * can be below the offset a client holds). The queue is emptied first: the server keeps an update 24 h, so after
   * a week nothing is left in it.
   */
  restartUpdateIds(next: number): void;
  /** A user in chat `chatId` sends `text`. Returns its `update_id`. */
  message(chatId: number | string, text: string, options?: FakeTelegramMessageOptions): number;
  /** The next `count` calls of `method` get `fault` instead of an answer. */
  fail(method: 'getUpdates' | 'sendMessage', fault: FakeTelegramFault, count?: number): void;
  /** Resolves with the first sent message (now or later) that `match` accepts. */
  waitForSent(match: (message: FakeTelegramSent) => boolean, timeoutMs?: number): Promise<FakeTelegramSent>;
  /** Resolves once `getUpdates` was called `count` times in all. */
  waitForPolls(count: number, timeoutMs?: number): Promise<void>;
  /** Stops the server, dropping any poll still held open. */
  close(): Promise<void>;
}

/** The Bot API's limit on a message's text, in characters after entity parsing. */
const TELEGRAM_MESSAGE_LIMIT = 4096;

interface Update {
  update_id: number;
  message?: unknown;
  edited_message?: unknown;
}

/** Starts a {@link FakeTelegram} for the bot `token` on a free port. */
export async function startFakeTelegram(options: {
  token: string;
  /** The bot's username, answered by `getMe`. @default 'witness_trap_test_bot' */
  username?: string;
  /**
   * The chats the bot may post to (users who started it, groups it is in). A chat that sends the bot a message
   * ({@link FakeTelegram.message}) joins them; `sendMessage` to any other answers 400 `chat not found`.
   */
  chats?: ReadonlyArray<string | number>;
}): Promise<FakeTelegram> {
  const updates: Update[] = [];
  const sent: FakeTelegramSent[] = [];
  const faults: Record<string, FakeTelegramFault[]> = { getUpdates: [], sendMessage: [] };
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  let polls = 0;
  let previousOffset: number | undefined;
  let previousPollAt = 0;
  let held: { answer: (status: number, body: unknown) => void; detach: () => void; offset: number } | undefined;
  /** Before this time (ms) a 409 Conflict is answered 3 s late, as the server does for repeated conflicts. */
  let nextConflictAt = 0;
  const conflictTimers = new Set<NodeJS.Timeout>();
  const chats = new Set((options.chats ?? []).map((chat) => String(chat)));
  const changed = new Set<() => void>();
  const notify = () => {
    for (const listener of [...changed]) listener();
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, description: string, parameters?: unknown) =>
    reply(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });

  const pending = (offset: number, limit: number) => {
    const last = updates.at(-1)?.update_id;
    // An offset ahead of the whole queue (update ids restarted below it): the server answers from the queue's head
    // and confirms nothing, so a client that never lowers its offset gets the same updates again and again.
    if (last !== undefined && offset > last + 1) return updates.slice(0, limit);
    // Telegram forgets every update below the offset: they are confirmed.
    while (updates.length > 0 && (updates[0]?.update_id ?? 0) < offset) updates.shift();
    return updates.slice(0, limit);
  };

  /** 409 Conflict, at once or, within 3 s of the previous one, 3 s late (the server delays repeated conflicts). */
  const conflict = (answer: (status: number, body: unknown) => void, description: string) => {
    const body = { ok: false, error_code: 409, description };
    const now = Date.now();
    if (now >= nextConflictAt) {
      nextConflictAt = now + 3000;
      answer(409, body);
      return;
    }
    const timer = setTimeout(() => {
      conflictTimers.delete(timer);
      answer(409, body);
    }, 3000);
    conflictTimers.add(timer);
  };

  const getUpdates = (params: Record<string, unknown>, res: ServerResponse) => {
    polls += 1;
    notify();
    const offset = Number(params.offset ?? 0);
    // The server clamps the long-polling timeout to 0..50 s.
    let timeoutS = Math.min(50, Math.max(0, Number(params.timeout ?? 0) || 0));
    let limit = Math.min(100, Math.max(1, Number(params.limit ?? 100) || 100));
    const now = Date.now();
    // The same offset again within 3 s with a short timeout: the server holds it 3 s (a spinning client slows down).
    if (offset === previousOffset && timeoutS < 3 && now - previousPollAt < 3000) timeoutS = 3;
    // The same offset again within 0.5 s: the server answers at most one update.
    if (offset === previousOffset && now - previousPollAt < 500) limit = 1;
    previousOffset = offset;
    previousPollAt = now;
    const ready = pending(offset, limit);
    // A poll that is answered at once leaves a held one alone: only a poll that would itself wait ends it.
    if (ready.length > 0 || timeoutS === 0) {
      reply(res, 200, { ok: true, result: ready });
      return;
    }
    if (held !== undefined) {
      const older = held;
      held = undefined;
      older.detach();
      conflict(
        older.answer,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const detach = () => {
      clearTimeout(timer);
      changed.delete(onChange);
      if (held === me) held = undefined;
    };
    const me = {
      offset,
      detach,
      answer: (status: number, body: unknown) => {
        detach();
        reply(res, status, body);
      },
    };
    const onChange = () => {
      const ready = pending(offset, limit);
      if (ready.length > 0) me.answer(200, { ok: true, result: ready });
    };
    changed.add(onChange);
    timer = setTimeout(() => me.answer(200, { ok: true, result: [] }), timeoutS * 1000);
    res.on('close', detach);
    held = me;
  };

  /** `sendMessage` as the server checks it: the text and its markup first, then the chat, then the length. */
  const sendMessage = (params: Record<string, unknown>, res: ServerResponse) => {
    const text = typeof params.text === 'string' ? params.text : String(params.text ?? '');
    const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : undefined;
    if (text === '') return error(res, 400, 'Bad Request: message text is empty');
    if (Buffer.byteLength(text) > 1 << 15) return error(res, 400, 'Bad Request: text is too long');
    const parsed = parseTelegramText(text, parseMode);
    if (!parsed.ok) {
      const what =
        parsed.error === 'Unsupported parse_mode' ? 'unsupported parse_mode' : `can't parse entities: ${parsed.error}`;
      return error(res, 400, `Bad Request: ${what}`);
    }
    // Half of a surrogate pair (a cut emoji) is no UTF-8.
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
      return error(res, 400, 'Bad Request: strings must be encoded in UTF-8');
    }
    const chatId = String(params.chat_id ?? '');
    if (chatId === '') return error(res, 400, 'Bad Request: chat_id is empty');
    if (!chats.has(chatId)) return error(res, 400, 'Bad Request: chat not found');
    // Telegram trims the text it shows, and counts its characters (code points) after parsing.
    const lead = /^[\s]*/.exec(parsed.text)?.[0].length ?? 0;
    const shown = parsed.text.trim();
    if (shown === '') return error(res, 400, 'Bad Request: text must be non-empty');
    if ([...shown].length > TELEGRAM_MESSAGE_LIMIT) return error(res, 400, 'Bad Request: message is too long');
    const entities = parsed.entities
      .map((e) => ({ ...e, offset: Math.max(0, e.offset - lead) }))
      .map((e) => ({ ...e, length: Math.min(e.length, shown.length - e.offset) }))
      .filter((e) => e.length > 0);
    sent.push({ chatId, text, ...(parseMode === undefined ? {} : { parseMode }), shown, entities });
    notify();
    reply(res, 200, {
      ok: true,
      result: {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(chatId) },
        text: shown,
      },
    });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
      if (match === null) return error(res, 404, 'Not Found');
      if (match[1] !== options.token) return error(res, 401, 'Unauthorized');
      const method = match[2] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
      if (text !== '') {
        try {
          params = { ...params, ...(JSON.parse(text) as Record<string, unknown>) };
        } catch {
          return error(res, 400, 'Bad Request: invalid JSON');
        }
      }
      const fault = faults[method]?.shift();
      if (fault !== undefined) {
        if (method === 'getUpdates') polls += 1;
        notify();
        if ('hang' in fault) return;
        if (fault.status === 429) {
          return error(res, 429, `Too Many Requests: retry after ${fault.retryAfter}`, {
            retry_after: fault.retryAfter,
          });
        }
        if (fault.status === 409) {
          return conflict(
            (status, body) => reply(res, status, body),
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          );
        }
        if (fault.status === 403) return error(res, 403, 'Forbidden: bot was blocked by the user');
        return error(res, fault.status, 'Internal Server Error');
      }
      if (method === 'getUpdates') return getUpdates(params, res);
      if (method === 'sendMessage') return sendMessage(params, res);
      if (method === 'getMe') {
        return reply(res, 200, {
          ok: true,
          result: {
            id: Number(options.token.split(':')[0]) || 1,
            is_bot: true,
            first_name: 'witness-trap',
            username: options.username ?? 'witness_trap_test_bot',
          },
        });
      }
      return error(res, 404, 'Not Found: method not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const waitUntil = <T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        changed.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        changed.delete(check);
        reject(new Error(`fake Telegram: timed out waiting for ${what}`));
      }, timeoutMs);
      changed.add(check);
      check();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    get polls() {
      return polls;
    },
    restartUpdateIds(next) {
      updates.length = 0;
      nextUpdateId = next;
    },
    message(chatId, text, opts = {}) {
      chats.add(String(chatId));
      const id = nextUpdateId++;
      const body = {
        message_id: nextMessageId++,
        date: Math.floor((opts.date ?? Date.now()) / 1000),
        chat: { id: Number(chatId), type: Number(chatId) < 0 ? 'group' : 'private' },
        from: { id: Math.abs(Number(chatId)), is_bot: false, first_name: 'Operator' },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]?.length ?? 0 }] }
          : {}),
        ...(opts.edited ? { edit_date: Math.floor(Date.now() / 1000) } : {}),
      };
      updates.push(opts.edited ? { update_id: id, edited_message: body } : { update_id: id, message: body });
      notify();
      return id;
    },
    fail(method, fault, count = 1) {
      for (let i = 0; i < count; i++) faults[method]?.push(fault);
    },
    waitForSent(match, timeoutMs = 10_000) {
      return waitUntil(() => sent.find(match), timeoutMs, 'a sent message');
    },
    waitForPolls(count, timeoutMs = 10_000) {
      return waitUntil(() => (polls >= count ? true : undefined), timeoutMs, `${count} polls`).then(() => undefined);
    },
    close() {
      held = undefined;
      for (const timer of conflictTimers) clearTimeout(timer);
      conflictTimers.clear();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One formatting entity of a parsed text, as Telegram reports it: UTF-16 `offset` and `length` into the text shown. */
export interface TelegramTextEntity {
  type: string;
  offset: number;
  length: number;
  /** The link of a `text_link`, the language of a `pre`. */
  argument?: string;
}

/** What a `parse_mode` text shows once Telegram parsed it: the plain text and its entities, or why it was refused. */
export type TelegramParsedText =
  | { ok: true; text: string; entities: TelegramTextEntity[] }
  | { ok: false; error: string };

/** The server's refusal of a text, with its reason. */
const fail = (error: string): TelegramParsedText => ({ ok: false, error });
const byteOffset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index));
/** Telegram's notion of a space: where a tag name, an attribute or a token ends (the end of the text too). */
const isSpace = (c: string | undefined) =>
  c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\0';

/**
 * Parses `text` as the Bot API server does for `parse_mode` `HTML`, `MarkdownV2`, or none (`undefined`): the text a
 * user sees and its entities, or the error the server answers (`Can't parse entities: ...` follows from it). It
 * follows tdlib's parsers (`td/telegram/MessageEntity.cpp`): in HTML only `<` and `&` are special (`&` starts an
 * entity only as `&lt;` `&gt;` `&amp;` `&quot;` or a numeric one, otherwise it is shown as is), a tag must be one
 * Telegram supports and be closed in order; in MarkdownV2 every one of `_*[]()~\`>#+-=|{}.!` outside an entity's
 * markup must be escaped with `\`, inside `code` and `pre` only `` ` `` and `\`.
 *
 * @example
 * parseTelegramText('<b>a &lt; b</b>', 'HTML'); // { ok: true, text: 'a < b', entities: [{ type: 'bold', offset: 0, length: 5 }] }
 * parseTelegramText('v2.0', 'MarkdownV2'); // { ok: false, error: "Character '.' is reserved and must be escaped with the preceding '\\'" }
 */
export function parseTelegramText(text: string, parseMode: string | undefined): TelegramParsedText {
  const mode = (parseMode ?? '').toLowerCase();
  if (mode === '' || mode === 'none') return { ok: true, text, entities: [] };
  if (mode === 'html') return parseHtml(text);
  if (mode === 'markdownv2') return parseMarkdownV2(text);
  return { ok: false, error: 'Unsupported parse_mode' };
}

/** `&...` at `at`: the character it stands for and where it ends, or undefined when it is no entity (shown as is). */
function htmlEntity(text: string, at: number): { char: string; end: number } | undefined {
  let end = at + 1;
  let code = 0;
  if (text[at + 1] === '#') {
    end += 1;
    const hex = text[at + 2] === 'x';
    if (hex) end += 1;
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    while (end < text.length && digit.test(text[end] ?? '')) {
      code = code * (hex ? 16 : 10) + Number.parseInt(text[end] ?? '0', 16);
      end += 1;
    }
    if (code === 0 || code >= 0x10ffff || end - at >= 10) return undefined;
  } else {
    while (end < text.length && /[A-Za-z]/.test(text[end] ?? '')) end += 1;
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    const found = named[text.slice(at + 1, end)];
    if (found === undefined) return undefined;
    code = found;
  }
  if (text[end] === ';') end += 1;
  return { char: String.fromCodePoint(code), end };
}

const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'tg-time',
  'span',
  'pre',
  'code',
  'blockquote',
]);
const HTML_ENTITY: Record<string, string> = {
  a: 'text_link',
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  u: 'underline',
  ins: 'underline',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  'tg-emoji': 'custom_emoji',
  'tg-time': 'date_time',
  pre: 'pre',
  code: 'code',
  blockquote: 'blockquote',
};

function parseHtml(text: string): TelegramParsedText {
  let out = '';
  const entities: TelegramTextEntity[] = [];
  const open: Array<{ tag: string; argument: string; offset: number }> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '&') {
      const entity = htmlEntity(text, i);
      if (entity !== undefined) {
        out += entity.char;
        i = entity.end - 1;
        continue;
      }
    }
    if (c !== '<') {
      out += c;
      continue;
    }
    const begin = i++;
    if (text[i] !== '/') {
      while (!isSpace(text[i]) && text[i] !== '>') i++;
      if (i >= text.length) return fail(`Unclosed start tag at byte offset ${byteOffset(text, begin)}`);
      const tag = text.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) {
        return fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(text, begin)}`);
      }
      let argument = '';
      while (text[i] !== '>') {
        while (i < text.length && isSpace(text[i])) i++;
        if (text[i] === '>') break;
        const nameAt = i;
        while (!isSpace(text[i]) && !'=>/"\''.includes(text[i] ?? '')) i++;
        const name = text.slice(nameAt, i);
        if (name === '')
          return fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(text, begin)}`);
        while (i < text.length && isSpace(text[i])) i++;
        if (text[i] !== '=') {
          if (i >= text.length) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(text, begin)}`);
          continue;
        }
        i++;
        while (i < text.length && isSpace(text[i])) i++;
        if (i >= text.length) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(text, begin)}`);
        let value = '';
        const quote = text[i];
        if (quote !== '"' && quote !== "'") {
          const tokenAt = i;
          while (/[A-Za-z0-9.-]/.test(text[i] ?? '')) i++;
          value = text.slice(tokenAt, i).toLowerCase();
          if (!isSpace(text[i]) && text[i] !== '>') {
            return fail(`Unexpected end of name token at byte offset ${byteOffset(text, tokenAt)}`);
          }
        } else {
          i++;
          while (i < text.length && text[i] !== quote) {
            const entity = text[i] === '&' ? htmlEntity(text, i) : undefined;
            if (entity !== undefined) {
              value += entity.char;
              i = entity.end;
            } else {
              value += text[i++];
            }
          }
          if (text[i] === quote) i++;
        }
        if (i >= text.length) return fail(`Unclosed start tag at byte offset ${byteOffset(text, begin)}`);
        if (tag === 'a' && name === 'href') argument = value;
        else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'code' && name === 'class' && value.startsWith('language-')) argument = value.slice(9);
      }
      if (tag === 'span' && argument !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(text, begin)}`);
      }
      open.push({ tag, argument, offset: out.length });
    } else {
      const top = open.at(-1);
      if (top === undefined) return fail(`Unexpected end tag at byte offset ${byteOffset(text, begin)}`);
      while (!isSpace(text[i]) && text[i] !== '>') i++;
      const endTag = text.slice(begin + 2, i).toLowerCase();
      while (i < text.length && isSpace(text[i])) i++;
      if (text[i] !== '>') return fail(`Unclosed end tag at byte offset ${byteOffset(text, begin)}`);
      if (endTag !== '' && endTag !== top.tag) {
        return fail(
          `Unmatched end tag at byte offset ${byteOffset(text, begin)}, expected "</${top.tag}>", found "</${endTag}>"`,
        );
      }
      open.pop();
      if (out.length > top.offset) {
        entities.push({
          type: HTML_ENTITY[top.tag] ?? top.tag,
          offset: top.offset,
          length: out.length - top.offset,
          ...(top.argument === '' || top.tag === 'span' ? {} : { argument: top.argument }),
        });
      }
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { ok: true, text: out, entities: sortEntities(entities) };
}

const RESERVED = '_*[]()~`>#+-=|{}.!\n';
/** How the server names an entity type in its errors. */
const TD_TYPE_NAME: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  code: 'Code',
  pre: 'Pre',
  text_link: 'TextUrl',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  custom_emoji: 'CustomEmoji',
  blockquote: 'BlockQuote',
};

function parseMarkdownV2(text: string): TelegramParsedText {
  let out = '';
  const entities: TelegramTextEntity[] = [];
  const open: Array<{ type: string; argument: string; offset: number; byteAt: number; index: number }> = [];
  let haveBlockquote = false;
  let canStartBlockquote = true;
  const reserved = (c: string) => fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  const noEnd = (entity: { type: string; argument: string; byteAt: number }) => {
    const name = entity.type === 'pre' && entity.argument !== '' ? 'PreCode' : TD_TYPE_NAME[entity.type];
    return fail(`Can't find end of ${name ?? entity.type} entity at byte offset ${entity.byteAt}`);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    const next = text.charCodeAt(i + 1);
    if (c === '\\' && next > 0 && next <= 126) {
      i++;
      out += text[i];
      if (text[i] !== '\r') canStartBlockquote = text[i] === '\n';
      continue;
    }
    const top = open.at(-1);
    const special = top !== undefined && (top.type === 'code' || top.type === 'pre') ? '`' : RESERVED;
    if (!special.includes(c)) {
      out += c;
      if (c !== '\r') canStartBlockquote = false;
      continue;
    }
    const endsTop = ((): boolean => {
      if (top === undefined) return false;
      if (haveBlockquote && c === '\n' && text[i + 1] !== '>') return true;
      switch (top.type) {
        case 'bold':
          return c === '*';
        case 'italic':
          return c === '_' && text[i + 1] !== '_';
        case 'code':
          return c === '`';
        case 'pre':
          return c === '`' && text[i + 1] === '`' && text[i + 2] === '`';
        case 'text_link':
        case 'custom_emoji':
          return c === ']';
        case 'underline':
          return c === '_' && text[i + 1] === '_';
        case 'strikethrough':
          return c === '~';
        case 'spoiler':
          return c === '|' && text[i + 1] === '|';
        default:
          return false;
      }
    })();
    if (!endsTop) {
      const byteAt = byteOffset(text, i);
      let type: string;
      let argument = '';
      switch (c) {
        case '_':
          if (text[i + 1] === '_') {
            type = 'underline';
            i++;
          } else {
            type = 'italic';
          }
          break;
        case '*':
          type = 'bold';
          break;
        case '~':
          type = 'strikethrough';
          break;
        case '|':
          if (text[i + 1] !== '|') return reserved(c);
          i++;
          type = 'spoiler';
          break;
        case '[':
          type = 'text_link';
          break;
        case '`':
          if (text[i + 1] === '`' && text[i + 2] === '`') {
            i += 3;
            type = 'pre';
            let languageEnd = i;
            while (!isSpace(text[languageEnd]) && text[languageEnd] !== '`') languageEnd++;
            if (i !== languageEnd && languageEnd < text.length && text[languageEnd] !== '`') {
              argument = text.slice(i, languageEnd);
              i = languageEnd;
            }
            if (text[i] === '\n' || text[i] === '\r') {
              i += (text[i + 1] === '\n' || text[i + 1] === '\r') && text[i] !== text[i + 1] ? 2 : 1;
            }
            i--;
          } else {
            type = 'code';
          }
          break;
        case '!':
          if (text[i + 1] !== '[') return reserved(c);
          i++;
          type = 'custom_emoji';
          break;
        case '\n':
          out += '\n';
          canStartBlockquote = true;
          continue;
        case '>':
          if (!canStartBlockquote) return reserved(c);
          if (haveBlockquote) continue;
          type = 'blockquote';
          haveBlockquote = true;
          break;
        default:
          return reserved(c);
      }
      open.push({ type, argument, offset: out.length, byteAt, index: i });
      continue;
    }
    // The end of the innermost entity.
    let entity = open.pop() as (typeof open)[number];
    let type = entity.type;
    if (c === '\n' && type !== 'blockquote') {
      // Only `||` right before the line end closes an expandable block quote; anything else is left open.
      const below = open.at(-1);
      if (type !== 'spoiler' || entity.index !== i - 1 || below?.type !== 'blockquote') return noEnd(entity);
      entity = open.pop() as (typeof open)[number];
      type = 'expandable_blockquote';
    }
    let argument = entity.argument;
    let skip = out.length === entity.offset;
    switch (type) {
      case 'underline':
      case 'spoiler':
        i++;
        break;
      case 'pre':
        i += 2;
        break;
      case 'text_link': {
        if (text[i + 1] !== '(') {
          argument = out.slice(entity.offset);
        } else {
          i += 2;
          const urlAt = i;
          let url = '';
          while (i < text.length && text[i] !== ')') {
            const escaped = text.charCodeAt(i + 1);
            if (text[i] === '\\' && escaped > 0 && escaped <= 126) {
              url += text[i + 1];
              i += 2;
              continue;
            }
            url += text[i++];
          }
          if (text[i] !== ')') return fail(`Can't find end of a URL at byte offset ${byteOffset(text, urlAt)}`);
          argument = url;
        }
        if (argument === '') skip = true;
        break;
      }
      case 'custom_emoji': {
        if (text[i + 1] !== '(') return fail('The entity must contain a tg://emoji or tg://time URL');
        i += 2;
        const urlAt = i;
        while (i < text.length && text[i] !== ')') i += text[i] === '\\' ? 2 : 1;
        if (text[i] !== ')') return fail(`Can't find end of a URL at byte offset ${byteOffset(text, urlAt)}`);
        break;
      }
      case 'blockquote':
      case 'expandable_blockquote':
        haveBlockquote = false;
        out += text[i];
        canStartBlockquote = true;
        skip = false;
        break;
      default:
        break;
    }
    if (!skip) {
      entities.push({
        type,
        offset: entity.offset,
        length: out.length - entity.offset,
        ...(argument === '' ? {} : { argument }),
      });
    }
  }
  if (haveBlockquote) {
    const top = open.at(-1);
    if (top?.type === 'blockquote') {
      open.pop();
      if (out.length > top.offset) {
        entities.push({ type: 'blockquote', offset: top.offset, length: out.length - top.offset });
      }
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) return noEnd(unclosed);
  return { ok: true, text: out, entities: sortEntities(entities) };
}

function sortEntities(entities: TelegramTextEntity[]): TelegramTextEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}
