import { formatNotification, NotifierError } from '@witness-trap/core';
import { describeNotifierConformance, startVendorServer, type VendorServer } from '@witness-trap/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smsLength, twilioNotifier } from '../src/index.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tw-auth-token-0123456789abcdef';
const API_KEY = 'SK0123456789abcdef0123456789abcdef';
const API_SECRET = 'tw-api-secret-fedcba9876543210';

/** Twilio's documented answers (Message resource on 201; `{code, message, more_info, status}` on errors). */
const created = (to = '+15558675310') => ({
  status: 201,
  body: {
    sid: 'SM0123456789abcdef0123456789abcdef',
    account_sid: SID,
    to,
    from: '+15017122661',
    status: 'queued',
    num_segments: '1',
    error_code: null,
    error_message: null,
  },
});
const twilioError = (status: number, code: number, message: string) => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

describeNotifierConformance(
  { describe, it },
  {
    name: 'twilio',
    secrets: [TOKEN],
    create: (server, delivery) =>
      twilioNotifier({
        accountSid: SID,
        authToken: TOKEN,
        from: '+15017122661',
        to: ['+15558675310', '+15558675311'],
        baseUrl: server.url,
        ...delivery,
      }),
    responses: {
      success: created(),
      unauthorized: twilioError(401, 20003, 'Authenticate'),
      badRequest: twilioError(400, 21211, "Invalid 'To' Phone Number: +1555867531"),
      rateLimited: { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '1' } },
    },
    rateLimitHintMs: 1000,
    vendorCodes: { unauthorized: 20003, badRequest: 21211 },
  },
);

const fired = formatNotification({
  kind: 'fired',
  witness: 'alice',
  facts: {
    fromKey: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4',
    toKey: 'STM8GC13uCZbP44HzMLV6zPZGwVQ8Nt4Kji8PapsPiNq1BK153XTX',
    aslot: 98765432,
    misses: 1,
    txId: '6f2b0c5e1d0a3b4c5d6e7f8091a2b3c4d5e6f708',
    operation: 'witness_set_properties',
  },
});

describe('twilioNotifier', () => {
  let server: VendorServer;
  beforeEach(async () => {
    server = await startVendorServer();
    server.respondWith(created());
  });
  afterEach(async () => {
    await server.close();
  });

  it('posts one form-encoded Messages request per recipient, with Basic auth of the account SID and token', async () => {
    const to = ['+15558675310', '+447700900123'];
    await twilioNotifier({ accountSid: SID, authToken: TOKEN, from: '+15017122661', to, baseUrl: server.url }).notify(
      fired,
    );
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
      const form = new URLSearchParams(request.body);
      expect([...form.keys()].sort()).toEqual(['Body', 'From', 'To']);
      expect(form.get('From')).toBe('+15017122661');
      expect(form.get('Body')).toBe(fired.text);
    }
    expect(server.requests.map((r) => new URLSearchParams(r.body).get('To')).sort()).toEqual(to.sort());
  });

  it('authenticates with an API key and secret, and sends from a Messaging Service', async () => {
    await twilioNotifier({
      accountSid: SID,
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      to: ['+15558675310'],
      baseUrl: `${server.url}/`,
    }).notify(fired);
    const [request] = server.requests;
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`);
    const form = new URLSearchParams(request?.body);
    expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef0123456789abcdef');
    expect(form.has('From')).toBe(false);
  });

  it('keeps every SMS in GSM-7 within two segments, even with a long non-GSM error message', async () => {
    const failed = formatNotification({
      kind: 'failed',
      witness: 'a-long-witness-n',
      facts: { fromKey: 'STM6x', toKey: 'STM7y', attempts: 3, error: `«${'ошибка ✗ '.repeat(40)}»` },
    });
    await twilioNotifier({
      accountSid: SID,
      authToken: TOKEN,
      from: '+1',
      to: ['+15558675310'],
      baseUrl: server.url,
    }).notify(failed);
    const body = new URLSearchParams(server.requests[0]?.body).get('Body') ?? '';
    expect(smsLength(body)).toMatchObject({ encoding: 'GSM-7' });
    expect(smsLength(body).segments).toBeLessThanOrEqual(2);
    expect(body).toContain('did NOT land');
  });

  it("carries Twilio's code, message and more_info when it refuses a number", async () => {
    server.respondWith(twilioError(400, 21211, "Invalid 'To' Phone Number: +1555"));
    const notifier = twilioNotifier({
      accountSid: SID,
      authToken: TOKEN,
      from: '+1',
      to: ['+1555'],
      baseUrl: server.url,
    });
    const error = await notifier.notify(fired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect(error).toMatchObject({
      code: 'NOTIFIER_REJECTED',
      status: 400,
      vendorCode: 21211,
      vendorMessage: "Invalid 'To' Phone Number: +1555",
      details: expect.objectContaining({ moreInfo: 'https://www.twilio.com/docs/errors/21211' }),
    });
  });

  it('delivers to the recipients it can and still fails loudly, naming the others only in masked form', async () => {
    server.respondWith((request) =>
      new URLSearchParams(request.body).get('To') === '+15550000002'
        ? twilioError(400, 21614, "'To' number is not a valid mobile number")
        : created(),
    );
    const notifier = twilioNotifier({
      accountSid: SID,
      authToken: TOKEN,
      from: '+1',
      to: ['+15550000001', '+15550000002'],
      baseUrl: server.url,
    });
    const error = (await notifier.notify(fired).catch((e: unknown) => e)) as NotifierError;
    expect(error).toBeInstanceOf(NotifierError);
    expect(error.message).toContain('1 of 2 recipients failed');
    expect(error.vendorCode).toBe(21614);
    expect(error.details).toMatchObject({ failedRecipients: ['+1555***02'], delivered: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it('refuses options that cannot send anything, listing every problem', () => {
    expect(() => twilioNotifier({ accountSid: '', apiKey: API_KEY, to: [] })).toThrowError(
      expect.objectContaining({
        kind: 'config',
        problems: [
          'accountSid is required',
          'apiKey and apiSecret go together',
          'from (or messagingServiceSid) is required',
          'to needs at least one phone number, none empty',
        ],
      }),
    );
  });
});
