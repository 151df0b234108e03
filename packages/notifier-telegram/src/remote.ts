import {
  ConfigError,
  type ControlResult,
  type DeliveryOptions,
  type Logger,
  NotifierError,
  type TrapControl,
  type TrapStatus,
} from '@witness-trap/core';
import { type BotApi, callBotApi } from './bot-api.js';
import { clip } from './clip.js';
import {
  parseCommand,
  REMOTE_HELP,
  renderRefusal,
  renderStatus,
  renderSwitchDone,
  shortKeyName,
} from './remote-text.js';
import { TELEGRAM_TEXT_LIMIT } from './render.js';

/** Options of {@link telegramRemote}. */
export interface TelegramRemoteOptions {
  /** The bot's token. It travels in the URL path; it never appears in a log line, an error or the state. */
  botToken: string;
  /** The only chats obeyed (`TELEGRAM_CHAT_ID`). A message from any other chat gets no action and no answer. */
  chatIds: ReadonlyArray<string | number>;
  /** The trap (or anything implementing the control contract). */
  control: TrapControl<TrapStatus>;
  /** @default 'https://api.telegram.org' */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Long-polling `timeout` of `getUpdates`, seconds. @default 25 */
  pollTimeoutS?: number;
  /**
   * A command dated more than this before now is never executed (a `/disable` queued while the host was down must
   * not fire when it comes back), nor one dated before the remote started. @default 60_000
   */
  maxAgeMs?: number;
  /** At most `count` commands per chat within `windowMs`; the rest are dropped. @default { count: 10, windowMs: 60_000 } */
  rateLimit?: { count: number; windowMs: number };
  /** The longest wait between two failed polls, ms (429 hints are honoured up to this). @default 60_000 */
  maxBackoffMs?: number;
  /**
   * The shortest time between the starts of two polls, ms, whatever the Bot API answers (a server that keeps
   * answering at once must not make the remote spin). @default 1000
   */
  minPollIntervalMs?: number;
  /** The first wait after a failed poll, ms; it doubles with each further failure. @default 1000 */
  initialBackoffMs?: number;
  /** Wall-clock time, epoch ms (Telegram dates messages by the wall clock). @default Date.now */
  now?: () => number;
  /** Waits between polls; must reject when `signal` aborts. @default a timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** On `stop()`, replies still being sent get this long to go out, ms. @default 2000 */
  stopGraceMs?: number;
  /** Where it says what it did: chat ids and command names, never a message's text, a code or the token. */
  log?: Logger;
}

/** A running Telegram remote control. */
export interface TelegramRemote {
  /** Starts polling in the background (once). */
  start(): void;
  /** Ends the poll at once: the request in flight and any wait are aborted. Resolves when the loop has ended. */
  stop(): Promise<void>;
}

interface TelegramMessage {
  date?: unknown;
  text?: unknown;
  chat?: { id?: unknown };
}

interface TelegramUpdate {
  update_id?: unknown;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Obeys commands sent to the bot from the operator's chats, over long polling (`getUpdates`): no inbound port.
 * `/status`, `/pause`, `/resume`, `/help` act at once; `/switch [PUB]` and `/disable` answer a one-time 6-digit code
 * and act only on `/confirm CODE` from the same chat within 60 s. Messages from other chats, edited messages, and
 * messages older than `maxAgeMs` or sent before the remote started are never executed.
 *
 * The poll never touches the trap's failover: it runs beside it, and every failure of the Bot API (429 with its
 * `retry_after`, 409 when another poller or a webhook holds the bot, 5xx, a hang) only delays the next poll.
 *
 * @example
 * const remote = telegramRemote({ botToken, chatIds: ['123456789'], control: trap });
 * remote.start();
 * // ... on shutdown:
 * await remote.stop();
 */
export function telegramRemote(options: TelegramRemoteOptions): TelegramRemote {
  const problems: string[] = [];
  if (!options.botToken) problems.push('botToken is required');
  if (options.chatIds.length === 0 || options.chatIds.some((chat) => String(chat).trim() === '')) {
    problems.push('at least one chat id is required');
  }
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    problems.push('baseUrl is not an http(s) URL');
  }
  if (problems.length > 0) {
    throw new ConfigError('CONFIG_REMOTE', `telegram remote: ${problems.join('; ')}`, { problems });
  }
  return new Remote(options);
}

class Remote implements TelegramRemote {
  readonly #o: TelegramRemoteOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #allowed: Set<string>;
  /** Ends the poll. */
  readonly #stop = new AbortController();
  /** Ends the replies still in flight, a moment after the poll. */
  readonly #hush = new AbortController();
  readonly #api: BotApi;
  readonly #replyApi: BotApi;
  readonly #recent = new Map<string, number[]>();
  readonly #inFlight = new Set<Promise<void>>();
  #startedAt = 0;
  /** The bot's own username (`getMe`), without `@`; until known, only commands without `@bot` are obeyed. */
  #username: string | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: TelegramRemoteOptions) {
    this.#o = options;
    this.#log = options.log ?? SILENT;
    this.#now = options.now ?? Date.now;
    this.#allowed = new Set(options.chatIds.map((chat) => String(chat).trim()));
    const baseUrl = (options.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    const fetchOption: DeliveryOptions = options.fetch === undefined ? {} : { fetch: options.fetch };
    const pollS = options.pollTimeoutS ?? 25;
    // One attempt per poll: the loop below does the backing off, with Telegram's own hints.
    this.#api = {
      baseUrl,
      botToken: options.botToken,
      delivery: { ...fetchOption, retries: 0, timeoutMs: (pollS + 10) * 1000 },
    };
    this.#replyApi = {
      baseUrl,
      botToken: options.botToken,
      delivery: { ...fetchOption, retries: 2, timeoutMs: 10_000 },
    };
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#startedAt = this.#now();
    this.#log.info('telegram remote control: polling for commands', { chats: this.#allowed.size });
    this.#loop = this.#poll();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    // The answer to a command just carried out (the block a switch landed in) deserves a moment to go out.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.#o.stopGraceMs ?? 2000).unref());
    await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
    this.#hush.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #poll(): Promise<void> {
    const signal = this.#stop.signal;
    let offset: number | undefined;
    let failures = 0;
    const sleep = this.#o.sleep ?? timerSleep;
    // The poll-rate bound waits on the real clock: it is a floor under the poll loop, not a backoff to script.
    const minIntervalMs = this.#o.minPollIntervalMs ?? 1000;
    let lastPollAt: number | undefined;
    while (!signal.aborted) {
      if (lastPollAt !== undefined) {
        const waitMs = lastPollAt + minIntervalMs - Date.now();
        if (waitMs > 0) {
          this.#log.debug('telegram remote control: next poll held back (poll rate bound)', { waitMs });
          try {
            await timerSleep(waitMs, signal);
          } catch {
            break;
          }
        }
      }
      lastPollAt = Date.now();
      if (this.#username === undefined) await this.#learnUsername(signal);
      if (signal.aborted) break;
      try {
        const updates = await callBotApi<TelegramUpdate[]>(
          this.#api,
          'getUpdates',
          {
            ...(offset === undefined ? {} : { offset }),
            timeout: this.#o.pollTimeoutS ?? 25,
            allowed_updates: ['message', 'edited_message'],
          },
          signal,
        );
        failures = 0;
        const batch = Array.isArray(updates) ? updates : [];
        // Confirm with the last update of the batch, as the Bot API documents: never max(offset, ...). Update ids
        // can restart below the offset held (after a week without updates), and an offset ahead of the queue
        // confirms nothing: the server answers the queue's head again and again.
        const lastId = batch.at(-1)?.update_id;
        if (typeof lastId === 'number') offset = lastId + 1;
        for (const update of batch) this.#receive(update);
      } catch (error) {
        if (signal.aborted) break;
        // The backoff below is the wait before the next poll.
        lastPollAt = undefined;
        failures += 1;
        const waitMs = this.#backoff(error, failures);
        const status = error instanceof NotifierError ? error.status : undefined;
        // 409: another process polls this bot (the server ends the older of two long polls), or a webhook is set.
        // Two pollers would take turns ending each other's poll: say so plainly, and back off (longer each time).
        const what =
          status === 409
            ? 'getUpdates failed: 409 Conflict, another process polls this bot with the same token (a second witness-trap?) or a webhook is set; commands may go to it, not to us. Polling again later'
            : 'getUpdates failed; polling again later';
        this.#log.warn(`telegram remote control: ${what}`, {
          ...(status === undefined ? {} : { status }),
          failures,
          error: error instanceof Error ? error.message : String(error),
          waitMs,
        });
        try {
          await sleep(waitMs, signal);
        } catch {
          break;
        }
      }
    }
  }

  /**
   * One bounded `getMe` (the reply timeout, no retry of its own): it is tried again before each poll until it
   * answers, and each failure is a warning.
   */
  async #learnUsername(signal: AbortSignal): Promise<void> {
    try {
      const me = await callBotApi<{ username?: unknown }>(this.#replyApi, 'getMe', {}, signal);
      if (typeof me?.username === 'string' && me.username !== '') {
        this.#username = me.username;
        this.#log.info('telegram remote control: obeying /cmd and /cmd@bot', { bot: me.username });
        return;
      }
      throw new Error('getMe answered no username');
    } catch (error) {
      if (signal.aborted) return;
      this.#log.warn(
        "telegram remote control: the bot's username is unknown (getMe failed); commands addressed /cmd@somebot are ignored until it is known, plain /cmd is obeyed",
        { error: error instanceof Error ? error.message : String(error) },
      );
    }
  }

  /** How long to wait after the `failures`-th failed poll in a row. */
  #backoff(error: unknown, failures: number): number {
    const max = this.#o.maxBackoffMs ?? 60_000;
    const hint = error instanceof NotifierError ? (error.details?.retryAfterMs as number | undefined) : undefined;
    if (typeof hint === 'number' && hint > 0) return Math.min(hint, max);
    const initial = this.#o.initialBackoffMs ?? 1000;
    // A wrong token (401) or a conflict with another poller (409) will not clear in a second: start slower.
    const status = error instanceof NotifierError ? error.status : undefined;
    const base = status === 401 || status === 404 || status === 409 ? Math.max(initial, 5000) : initial;
    const ceiling = Math.min(max, base * 2 ** (failures - 1));
    return ceiling / 2 + (ceiling / 2) * Math.random();
  }

  #receive(update: TelegramUpdate): void {
    if (update.edited_message !== undefined) {
      this.#log.info('telegram remote control: edited message ignored', { chatId: chatOf(update.edited_message) });
      return;
    }
    const message = update.message;
    if (message === undefined) return;
    const chatId = chatOf(message);
    if (!this.#allowed.has(chatId)) {
      // No action, no answer, and not its text: a stranger learns nothing, not even that the bot is alive.
      this.#log.warn('telegram remote control: message from a chat not in TELEGRAM_CHAT_ID ignored', { chatId });
      return;
    }
    const text = typeof message.text === 'string' ? message.text.trim() : '';
    const parsed = parseCommand(text);
    if (parsed === undefined) return;
    if (parsed.bot !== undefined && parsed.bot.toLowerCase() !== this.#username?.toLowerCase()) {
      // In a group whose bot sees every message (privacy mode off), /pause@OtherBot is meant for another bot.
      this.#log.info('telegram remote control: command addressed to another bot ignored', {
        chatId,
        command: parsed.name,
        bot: parsed.bot,
        ...(this.#username === undefined ? { ours: 'unknown yet' } : {}),
      });
      return;
    }
    if (!this.#withinRate(chatId)) {
      this.#log.warn('telegram remote control: rate limit reached; command dropped', { chatId, command: parsed.name });
      return;
    }
    const sentAt = typeof message.date === 'number' ? message.date * 1000 : Number.NaN;
    const startedAtSecond = Math.floor(this.#startedAt / 1000) * 1000;
    const maxAgeMs = this.#o.maxAgeMs ?? 60_000;
    if (!(sentAt >= startedAtSecond) || this.#now() - sentAt > maxAgeMs) {
      this.#log.warn('telegram remote control: old command not executed', { chatId, command: parsed.name });
      this.#track(
        this.#reply(
          chatId,
          `Not executed: /${parsed.name} was sent ${Number.isNaN(sentAt) ? 'at an unknown time' : `${Math.round((this.#now() - sentAt) / 1000)} s ago`}, before witness-trap started or more than ${Math.round(maxAgeMs / 1000)} s ago. Send it again if you still mean it.`,
        ),
      );
      return;
    }
    this.#log.info('telegram remote control: command received', { chatId, command: parsed.name });
    this.#track(this.#run(chatId, parsed.name, parsed.args));
  }

  /** Sliding window per chat. */
  #withinRate(chatId: string): boolean {
    const { count, windowMs } = this.#o.rateLimit ?? { count: 10, windowMs: 60_000 };
    const now = this.#now();
    const recent = (this.#recent.get(chatId) ?? []).filter((at) => now - at < windowMs);
    if (recent.length >= count) {
      this.#recent.set(chatId, recent);
      return false;
    }
    recent.push(now);
    this.#recent.set(chatId, recent);
    return true;
  }

  async #run(chatId: string, name: string, args: string[]): Promise<void> {
    const { control } = this.#o;
    const by = `telegram:${chatId}`;
    const say = (text: string) => this.#reply(chatId, text);
    switch (name) {
      case 'start':
      case 'help':
        return say(REMOTE_HELP);
      case 'status': {
        await control.command({ command: 'status', by });
        return say(renderStatus(control.status()));
      }
      case 'pause': {
        const result = await control.command({ command: 'pause', by });
        return say(
          result.ok
            ? 'Paused: still watching, but no automatic switch until /resume. /switch still works.'
            : renderRefusal(result),
        );
      }
      case 'resume': {
        const result = await control.command({ command: 'resume', by });
        return say(result.ok ? 'Resumed: armed again; misses are counted from now.' : renderRefusal(result));
      }
      case 'switch':
      case 'disable': {
        const to = args[0];
        const result =
          name === 'disable'
            ? await control.command({ command: 'disable', by, confirm: true })
            : await control.command({ command: 'switch', by, confirm: true, ...(to === undefined ? {} : { to }) });
        if (!result.ok || result.confirmation === undefined) return say(renderRefusal(result));
        const { code, toKey } = result.confirmation;
        const what =
          name === 'disable'
            ? 'DISABLE the witness (null signing key: it stops producing until re-enabled with the active key)'
            : `switch the signing key to ${shortKeyName(toKey, control.status())}:\n${toKey}`;
        return say(`About to ${what}.\nTo go ahead, send within 60 s:\n/confirm ${code}`);
      }
      case 'confirm': {
        const code = args[0] ?? '';
        const result: ControlResult = await control.command(
          { command: 'confirm', by, code },
          {
            broadcast: (event) => {
              this.#track(
                say(
                  event.dryRun
                    ? `Dry run: signed tx ${event.txId}, not broadcast.`
                    : `Broadcast: tx ${event.txId}. Waiting for it in a block...`,
                ),
              );
            },
          },
        );
        return say(result.ok ? renderSwitchDone(result) : renderRefusal(result));
      }
      default:
        return say(`Unknown command /${name}. ${REMOTE_HELP}`);
    }
  }

  /** Sends a plain-text reply; a failure is logged, never thrown (and never holds up anything else). */
  async #reply(chatId: string, text: string): Promise<void> {
    if (this.#hush.signal.aborted) return;
    try {
      // Plain text, fitted to Telegram's 4096 characters (an error quoted in a refusal, or a long unknown command,
      // must not cost the answer).
      const fitted = clip(text, TELEGRAM_TEXT_LIMIT);
      await callBotApi(this.#replyApi, 'sendMessage', { chat_id: chatId, text: fitted }, this.#hush.signal);
    } catch (error) {
      if (this.#hush.signal.aborted) return;
      this.#log.warn('telegram remote control: reply not delivered', {
        chatId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#log.error('telegram remote control: command failed', { error: String(error) });
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }
}

function chatOf(message: TelegramMessage): string {
  const id = message.chat?.id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : '?';
}

function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
