import { formatNotification } from '@witness-trap/core';
import { startVendorServer } from '@witness-trap/core/testing';
import { describe, expect, it } from 'vitest';
import { telegramNotifierFromEnv } from '../src/index.js';

describe('telegramNotifierFromEnv', () => {
  it('is undefined when Telegram is not configured', () => {
    expect(telegramNotifierFromEnv({})).toBeUndefined();
    expect(telegramNotifierFromEnv({ TELEGRAM_API_URL: 'http://127.0.0.1:1' })).toBeUndefined();
  });

  it('refuses a token without a chat (and a chat without a token) as a configuration error', () => {
    expect(() => telegramNotifierFromEnv({ TELEGRAM_BOT_TOKEN: '1:secret' })).toThrowError(
      expect.objectContaining({ kind: 'config', problems: ['TELEGRAM_CHAT_ID is not set'] }),
    );
    expect(() => telegramNotifierFromEnv({ TELEGRAM_CHAT_ID: '42' })).toThrowError(
      expect.objectContaining({ kind: 'config', problems: ['TELEGRAM_BOT_TOKEN is not set'] }),
    );
  });

  it('sends through TELEGRAM_API_URL to TELEGRAM_CHAT_ID', async () => {
    const server = await startVendorServer();
    try {
      server.respondWith({ status: 200, body: { ok: true, result: { message_id: 1 } } });
      const notifier = telegramNotifierFromEnv({
        TELEGRAM_BOT_TOKEN: '1:tok',
        TELEGRAM_CHAT_ID: '@witness_alerts',
        TELEGRAM_API_URL: `${server.url}/`,
      });
      await notifier?.notify(formatNotification({ kind: 'test', witness: 'alice', facts: {} }));
      expect(server.requests[0]?.path).toBe('/bot1:tok/sendMessage');
      expect(JSON.parse(server.requests[0]?.body ?? '').chat_id).toBe('@witness_alerts');
    } finally {
      await server.close();
    }
  });
});
