import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeNotifierConformance } from '../testing/conformance.js';
import { startVendorServer, type VendorServer } from '../testing/vendor-server.js';
import { formatNotification } from './format.js';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, webhookFormats, webhookNotifier } from './webhook.js';

const SECRET = 'whsec-0123456789abcdef';
const PATH_TOKEN = 'T000/B000/XXXXsecretpathtoken';

describeNotifierConformance(
  { describe, it },
  {
    name: 'webhook',
    secrets: [SECRET, PATH_TOKEN],
    create: (server, delivery) => webhookNotifier({ url: `${server.url}/${PATH_TOKEN}`, secret: SECRET, ...delivery }),
    responses: {
      success: { status: 204 },
      unauthorized: { status: 401, body: { error: 'bad signature' } },
      badRequest: { status: 400, body: { error: 'unknown field' } },
      rateLimited: { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' },
    },
    rateLimitHintMs: 2000,
  },
);

const notification = formatNotification({
  kind: 'failed',
  witness: 'alice',
  facts: { fromKey: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4', toKey: 'STM5x', attempts: 3 },
  at: 1_764_000_000_000,
});

describe('webhookNotifier', () => {
  let server: VendorServer;
  beforeEach(async () => {
    server = await startVendorServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('posts the whole notification as JSON by default', async () => {
    await webhookNotifier({ url: `${server.url}/hook` }).notify(notification);
    const [request] = server.requests;
    expect(request?.path).toBe('/hook');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(notification);
    expect(request?.headers[WEBHOOK_SIGNATURE_HEADER]).toBeUndefined();
  });

  it('signs timestamp and body so that a receiver can check the signature on its own', async () => {
    await webhookNotifier({ url: server.url, secret: SECRET }).notify(notification);
    const request = server.requests[0]!;
    const header = request.headers[WEBHOOK_SIGNATURE_HEADER] ?? '';
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const [, t, v1] = match!;
    const independent = createHmac('sha256', SECRET).update(`${t}.${request.body}`).digest('hex');
    expect(v1).toBe(independent);
    expect(verifyWebhookSignature({ header, body: request.body, secret: SECRET })).toBe(true);
  });

  it('lets a receiver reject a tampered body, a wrong secret and an old signature', async () => {
    await webhookNotifier({ url: server.url, secret: SECRET }).notify(notification);
    const { body, headers } = server.requests[0]!;
    const header = headers[WEBHOOK_SIGNATURE_HEADER];
    expect(verifyWebhookSignature({ header, body: body.replace('alice', 'mallory'), secret: SECRET })).toBe(false);
    expect(verifyWebhookSignature({ header, body, secret: 'another-secret' })).toBe(false);
    expect(verifyWebhookSignature({ header, body, secret: SECRET, now: Date.now() + 3_600_000 })).toBe(false);
    expect(verifyWebhookSignature({ header: undefined, body, secret: SECRET })).toBe(false);
    expect(verifyWebhookSignature({ header: 't=1,v1=zz', body, secret: SECRET })).toBe(false);
  });

  it('shapes the body for Discord, Slack and ntfy with the format hook', async () => {
    await webhookNotifier({ url: server.url, format: webhookFormats.discord }).notify(notification);
    await webhookNotifier({ url: server.url, format: webhookFormats.slack }).notify(notification);
    await webhookNotifier({ url: server.url, format: webhookFormats.ntfy('wt-alerts') }).notify(notification);
    await webhookNotifier({ url: server.url, format: (n) => `${n.title}` }).notify(notification);
    const [discord, slack, ntfy, plain] = server.requests.map((r) => r.body);
    expect(JSON.parse(discord!)).toEqual({
      content: expect.stringContaining('**witness-trap: alice key switch FAILED**'),
    });
    expect(JSON.parse(slack!).text).toContain('-&gt;');
    expect(JSON.parse(ntfy!)).toMatchObject({ topic: 'wt-alerts', priority: 5, title: notification.title });
    expect(plain).toBe(notification.title);
    expect(server.requests[3]?.headers['content-type']).toContain('text/plain');
  });

  it('reports a format hook that throws as a NotifierError, sending nothing', async () => {
    const notifier = webhookNotifier({
      url: server.url,
      format: () => {
        throw new Error('no title');
      },
    });
    await expect(notifier.notify(notification)).rejects.toMatchObject({
      name: 'NotifierError',
      code: 'NOTIFIER_FORMAT',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a URL that is not http(s) as a configuration error that does not quote it', () => {
    expect(() => webhookNotifier({ url: 'ftp://user:pw@example/x' })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.not.stringContaining('pw') }),
    );
  });
});
