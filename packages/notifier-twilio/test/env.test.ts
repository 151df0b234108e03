import { formatNotification } from '@witness-trap/core';
import { startVendorServer } from '@witness-trap/core/testing';
import { describe, expect, it } from 'vitest';
import { twilioNotifierFromEnv } from '../src/index.js';

describe('twilioNotifierFromEnv', () => {
  it('is undefined when Twilio is not configured at all', () => {
    expect(twilioNotifierFromEnv({})).toBeUndefined();
    expect(twilioNotifierFromEnv({ TWILIO_API_URL: 'http://127.0.0.1:1', TWILIO_TO: ' ' })).toBeUndefined();
  });

  it('refuses a half-configured Twilio, saying what is missing and never quoting the token', () => {
    let caught: unknown;
    try {
      twilioNotifierFromEnv({ TWILIO_AUTH_TOKEN: 'secret-token-value', TWILIO_TO: '+15558675310' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      kind: 'config',
      problems: ['TWILIO_ACCOUNT_SID is not set', 'TWILIO_FROM (or TWILIO_MESSAGING_SERVICE_SID) is not set'],
    });
    expect(String((caught as Error).message)).not.toContain('secret-token-value');
  });

  it('sends to every number of TWILIO_TO through TWILIO_API_URL', async () => {
    const server = await startVendorServer();
    try {
      server.respondWith({ status: 201, body: { sid: 'SM1', status: 'queued' } });
      const notifier = twilioNotifierFromEnv({
        TWILIO_ACCOUNT_SID: 'AC1',
        TWILIO_AUTH_TOKEN: 'tok',
        TWILIO_FROM: '+15017122661',
        TWILIO_TO: '+15558675310, +15558675311,',
        TWILIO_API_URL: server.url,
      });
      await notifier?.notify(formatNotification({ kind: 'test', witness: 'alice', facts: {} }));
      const recipients = server.requests.map((r) => new URLSearchParams(r.body).get('To')).sort();
      expect(recipients).toEqual(['+15558675310', '+15558675311']);
      expect(server.requests[0]?.path).toBe('/2010-04-01/Accounts/AC1/Messages.json');
    } finally {
      await server.close();
    }
  });
});
