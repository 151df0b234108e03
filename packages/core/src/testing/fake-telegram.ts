import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the bot sent (`sendMessage`), as the fake received it. */
export interface FakeTelegramSent {
  chatId: string;
  text: string;
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
 * A stand-in for the Telegram Bot API on 127.0.0.1, for remote-control tests: `getUpdates` with long polling
 * (`offset` confirms earlier updates, `timeout` holds the request until an update arrives, a second concurrent
 * poll ends the first with 409 Conflict, as Telegram does) and `sendMessage`. Every other method answers 404.
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
}): Promise<FakeTelegram> {
  const updates: Update[] = [];
  const sent: FakeTelegramSent[] = [];
  const faults: Record<string, FakeTelegramFault[]> = { getUpdates: [], sendMessage: [] };
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  let polls = 0;
  let previousOffset: number | undefined;
  let previousPollAt = 0;
  let held: { answer: (status: number, body: unknown) => void; offset: number } | undefined;
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

  const getUpdates = (params: Record<string, unknown>, res: ServerResponse) => {
    polls += 1;
    notify();
    const offset = Number(params.offset ?? 0);
    // The server clamps the long-polling timeout to 0..50 s.
    const timeoutS = Math.min(50, Math.max(0, Number(params.timeout ?? 0) || 0));
    let limit = Math.min(100, Math.max(1, Number(params.limit ?? 100) || 100));
    // The same offset again within 0.5 s: the server answers at most one update (a spinning client slows down).
    const now = Date.now();
    if (offset === previousOffset && now - previousPollAt < 500) limit = 1;
    previousOffset = offset;
    previousPollAt = now;
    // A second poll while one is held: Telegram ends the first with 409 Conflict.
    if (held !== undefined) {
      held.answer(409, {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
      held = undefined;
    }
    const ready = pending(offset, limit);
    if (ready.length > 0 || timeoutS === 0) {
      reply(res, 200, { ok: true, result: ready });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const me = {
      offset,
      answer: (status: number, body: unknown) => {
        clearTimeout(timer);
        changed.delete(onChange);
        if (held === me) held = undefined;
        reply(res, status, body);
      },
    };
    const onChange = () => {
      const ready = pending(offset, limit);
      if (ready.length > 0) me.answer(200, { ok: true, result: ready });
    };
    changed.add(onChange);
    timer = setTimeout(() => me.answer(200, { ok: true, result: [] }), timeoutS * 1000);
    res.on('close', () => {
      clearTimeout(timer);
      changed.delete(onChange);
      if (held === me) held = undefined;
    });
    held = me;
  };

  const sendMessage = (params: Record<string, unknown>, res: ServerResponse) => {
    const chatId = String(params.chat_id ?? '');
    const text = typeof params.text === 'string' ? params.text : '';
    if (chatId === '') return error(res, 400, 'Bad Request: chat_id is empty');
    if (text === '') return error(res, 400, 'Bad Request: message text is empty');
    if (params.parse_mode === 'HTML') {
      // The server's HTML parser: a `<` opens a supported tag, a `&` starts a known or numeric entity; else 400.
      const bad =
        /<(?!\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|blockquote|a\b[^>]*|span\b[^>]*)>)|&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/i.exec(
          text,
        );
      if (bad !== null) {
        return error(
          res,
          400,
          `Bad Request: can't parse entities: Unsupported start tag or unescaped character at byte offset ${Buffer.byteLength(text.slice(0, bad.index))}`,
        );
      }
    }
    // The limit counts the text after entity parsing: HTML tags and entities count as what they show.
    const shown =
      params.parse_mode === 'HTML' ? text.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot|#\d+);/g, '_') : text;
    if (shown.length > 4096) return error(res, 400, 'Bad Request: message is too long');
    sent.push({ chatId, text });
    notify();
    reply(res, 200, {
      ok: true,
      result: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId) }, text },
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
          return error(res, 409, "Conflict: can't use getUpdates method while webhook is active");
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
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
