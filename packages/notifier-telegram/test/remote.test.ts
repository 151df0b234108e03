import type { Logger } from '@witness-trap/core';
import {
  describeRemoteControlConformance,
  type FakeTelegram,
  recordingControl,
  startFakeTelegram,
} from '@witness-trap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { telegramRemote, telegramRemoteFromEnv } from '../src/index.js';

const TOKEN = '123456789:AAH-fake_TelegramBotToken0123456789';
const OPERATOR = 4242;
const STRANGER = 6666;

/** A logger that keeps every line, to check what is said and what never is. */
function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m, f) => lines.push(`debug ${m} ${JSON.stringify(f ?? {})}`),
    info: (m, f) => lines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
    warn: (m, f) => lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
    error: (m, f) => lines.push(`error ${m} ${JSON.stringify(f ?? {})}`),
  };
  return { lines, log };
}

describeRemoteControlConformance(
  { describe, it },
  {
    name: 'telegram',
    start: async (control) => {
      const telegram = await startFakeTelegram({ token: TOKEN });
      const remote = telegramRemote({
        botToken: TOKEN,
        chatIds: [String(OPERATOR)],
        control,
        baseUrl: telegram.url,
        pollTimeoutS: 5,
      });
      remote.start();
      const chatOf = (sender: 'operator' | 'stranger') => String(sender === 'operator' ? OPERATOR : STRANGER);
      return {
        send: async (sender, text) => {
          telegram.message(chatOf(sender), text);
        },
        replies: (sender) => telegram.sent.filter((m) => m.chatId === chatOf(sender)).map((m) => m.text),
        stop: async () => {
          await remote.stop();
          await telegram.close();
        },
      };
    },
  },
);

describe('telegramRemote, against a fake Bot API', () => {
  let telegram: FakeTelegram;
  let stop: () => Promise<void> = async () => {};
  afterEach(async () => {
    await stop();
    await telegram?.close();
  });

  const start = async (
    extra: Partial<Parameters<typeof telegramRemote>[0]> = {},
    prepare: (fake: FakeTelegram) => void = () => {},
  ) => {
    telegram = await startFakeTelegram({ token: TOKEN });
    prepare(telegram);
    const control = recordingControl();
    const { lines, log } = recordingLog();
    const remote = telegramRemote({
      botToken: TOKEN,
      chatIds: [String(OPERATOR), '-100777'],
      control,
      baseUrl: telegram.url,
      pollTimeoutS: 5,
      log,
      ...extra,
    });
    remote.start();
    stop = () => remote.stop();
    return { control, lines, remote };
  };
  /** The operator's round trip: once answered, every earlier message has been read. */
  const roundTrip = async () => {
    const marker = telegram.sent.length;
    telegram.message(OPERATOR, '/help');
    await telegram.waitForSent((m) => telegram.sent.indexOf(m) >= marker && m.text.includes('/confirm CODE'));
  };

  it('never executes a command dated before it started, or older than 60 s (a queued /disable must not fire)', async () => {
    const { control } = await start();
    telegram.message(OPERATOR, '/disable', { date: Date.now() - 120_000 });
    telegram.message(OPERATOR, '/pause', { date: Date.now() - 61_000 });
    await telegram.waitForSent((m) => m.text.includes('/pause was sent'));
    await roundTrip();
    expect(control.commands).toEqual([]);
    expect(telegram.sent.filter((m) => m.text.startsWith('Not executed'))).toHaveLength(2);
  });

  it('ignores edited messages: an edit of an old command into /confirm CODE does nothing', async () => {
    const { control, lines } = await start();
    telegram.message(OPERATOR, '/switch');
    const asked = await telegram.waitForSent((m) => /\b\d{6}\b/.test(m.text));
    const code = /\b(\d{6})\b/.exec(asked.text)?.[1] ?? '';
    telegram.message(OPERATOR, `/confirm ${code}`, { edited: true });
    await roundTrip();
    expect(control.switches).toEqual([]);
    expect(lines.some((line) => line.includes('edited message ignored'))).toBe(true);
  });

  it('logs a stranger by chat id only, never the text; the token and codes appear in no log line', async () => {
    const { lines } = await start();
    telegram.message(STRANGER, '/status secret-words-of-a-stranger');
    telegram.message(OPERATOR, '/switch');
    const asked = await telegram.waitForSent((m) => /\b\d{6}\b/.test(m.text));
    const code = /\b(\d{6})\b/.exec(asked.text)?.[1] ?? '';
    await roundTrip();
    const all = lines.join('\n');
    expect(all).toContain(String(STRANGER));
    expect(all).not.toContain('secret-words');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(code);
  });

  it('rate limits commands per chat', async () => {
    const { control } = await start({ rateLimit: { count: 3, windowMs: 60_000 } });
    for (let i = 0; i < 6; i++) telegram.message(OPERATOR, '/status');
    await telegram.waitForSent((m) => m.text.includes('conformance-wit'));
    // Another allowed chat has its own budget, and its answer comes after the operator's six were read.
    telegram.message('-100777', '/help');
    await telegram.waitForSent((m) => m.chatId === '-100777');
    expect(control.commands).toHaveLength(3);
  });

  it('keeps polling through 429 (waiting its retry_after), 409 and 500, and still obeys', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw signal.reason;
      waits.push(ms);
    };
    const { lines } = await start({ sleep }, (fake) => {
      fake.fail('getUpdates', { status: 429, retryAfter: 7 });
      fake.fail('getUpdates', { status: 409 });
      fake.fail('getUpdates', { status: 500 });
    });
    telegram.message(OPERATOR, '/status');
    await telegram.waitForSent((m) => m.text.includes('conformance-wit'));
    expect(waits[0]).toBe(7000);
    expect(waits).toHaveLength(3);
    expect(lines.filter((line) => line.includes('getUpdates failed'))).toHaveLength(3);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('runs one command once after update ids restart below its offset, obeys the next, and never spins', async () => {
    const { control } = await start({ pollTimeoutS: 1 });
    telegram.message(OPERATOR, '/status');
    await telegram.waitForSent((m) => m.text.includes('conformance-wit'));
    // The Bot API picks a random update_id after a week without updates: here far below the offset the remote holds.
    telegram.restartUpdateIds(7);
    const pollsBefore = telegram.polls;
    const startedAt = Date.now();
    telegram.message(OPERATOR, '/pause');
    await telegram.waitForSent((m) => m.text.startsWith('Paused'));
    telegram.message(OPERATOR, '/resume');
    await telegram.waitForSent((m) => m.text.startsWith('Resumed'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3000 - (Date.now() - startedAt))));
    expect(control.commands.map((c) => c.command)).toEqual(['status', 'pause', 'resume']);
    expect(telegram.polls - pollsBefore).toBeLessThan(10);
  });

  it('a second poller on the same bot: each 409 is a warning that says so, it backs off and never spins, and it obeys once alone', async () => {
    // The remote's own getUpdates calls, counted on the wire (the fake counts every poller's).
    let ours = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith('/getUpdates')) ours += 1;
      return fetch(input, init);
    };
    const { control, lines } = await start({ fetch: countingFetch, pollTimeoutS: 5 });
    await telegram.waitForPolls(1);
    // Another process polls the same bot (a second witness-trap, a script): it long-polls again the moment it is
    // answered, 409 or not, as a naive client does.
    const rogue = new AbortController();
    let rogueAnswers = 0;
    const rogueLoop = (async () => {
      let offset: number | undefined;
      while (!rogue.signal.aborted) {
        const response = await fetch(`${telegram.url}/bot${TOKEN}/getUpdates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ timeout: 5, ...(offset === undefined ? {} : { offset }) }),
          signal: rogue.signal,
        }).catch(() => undefined);
        const body = (await response?.json().catch(() => undefined)) as
          | { result?: Array<{ update_id: number }> }
          | undefined;
        rogueAnswers += 1;
        const last = body?.result?.at(-1)?.update_id;
        if (last !== undefined) offset = last + 1;
      }
    })();
    const before = ours;
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const conflicts = lines.filter((line) => line.includes('409 Conflict, another process polls this bot'));
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    expect(conflicts[0]).toMatch(/^warn .*"status":409.*"waitMs":\d+/);
    // It backs off at least 2.5 s after each 409 (5 s doubling, jittered down to half), so in 8 s it polls once or
    // twice: without its backoff, paced only by the server's 3 s delay of repeated conflicts, it polled 3 times.
    const waits = conflicts.map((line) => Number(/"waitMs":(\d+)/.exec(line)?.[1]));
    expect(waits.every((ms) => ms >= 2500)).toBe(true);
    expect(ours - before).toBeLessThanOrEqual(2);
    expect(rogueAnswers).toBeLessThanOrEqual(10);
    rogue.abort();
    await rogueLoop;
    // Alone again: the next command is obeyed once the backoff now running is over.
    telegram.message(OPERATOR, '/status');
    await telegram.waitForSent((m) => m.text.includes('conformance-wit'), 30_000);
    expect(control.commands.map((c) => c.command)).toEqual(['status']);
  }, 60_000);

  it('answers even when the answer would be over 4096 characters (a very long unknown command): cut, not lost', async () => {
    const { lines } = await start();
    const name = 'x'.repeat(5000);
    telegram.message(OPERATOR, `/${name}`);
    const answer = await telegram.waitForSent((m) => m.text.startsWith('Unknown command'));
    expect([...answer.shown].length).toBeLessThanOrEqual(4096);
    expect(answer.text).toMatch(/characters cut\)$/);
    expect(lines.some((line) => line.includes('reply not delivered'))).toBe(false);
  });

  it('obeys /cmd and /cmd@ourbot, never /cmd@otherbot (a group whose bot sees every message)', async () => {
    const { control, lines } = await start();
    telegram.message(OPERATOR, '/pause@SomeOtherBot');
    telegram.message(OPERATOR, '/status@witness_trap_test_bot');
    await telegram.waitForSent((m) => m.text.includes('conformance-wit'));
    await roundTrip();
    expect(control.commands.map((c) => c.command)).toEqual(['status']);
    expect(lines.some((line) => line.includes('addressed to another bot ignored'))).toBe(true);
  });

  it('stop() ends a long poll in flight at once', async () => {
    const { remote } = await start({ pollTimeoutS: 50 });
    await telegram.waitForPolls(1);
    let stopped = false;
    const stopping = remote.stop().then(() => {
      stopped = true;
    });
    await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, 3000))]);
    expect(stopped).toBe(true);
  });

  it('is configured from the environment: a comma list of chats, and refuses to start without them', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    const control = recordingControl();
    expect(() => telegramRemoteFromEnv({ TELEGRAM_BOT_TOKEN: TOKEN }, { control })).toThrowError(/TELEGRAM_CHAT_ID/);
    const remote = telegramRemoteFromEnv(
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: ` 1, ${OPERATOR} `, TELEGRAM_API_URL: telegram.url },
      { control, pollTimeoutS: 5 },
    );
    remote.start();
    stop = () => remote.stop();
    telegram.message(OPERATOR, '/pause');
    await telegram.waitForSent((m) => m.chatId === String(OPERATOR) && m.text.startsWith('Paused'));
    expect(control.commands).toEqual([{ command: 'pause', by: `telegram:${OPERATOR}` }]);
  });
});
