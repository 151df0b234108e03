/**
 * One local HTTP server standing in for every notification vendor at once: Twilio (`TWILIO_API_URL`), Telegram
 * (`TELEGRAM_API_URL`) and a webhook (`--webhook`). It answers each as the vendor would and sorts what arrived, so a
 * test can count the operator's messages per switch.
 */
import { startVendorServer, type VendorServer } from '@witness-trap/core/testing';

/** A message one vendor received. */
export interface ReceivedMessage {
  vendor: 'twilio' | 'telegram' | 'webhook';
  /** The notification's kind where the body carries it (the webhook sends the whole notification). */
  kind?: string;
  dedupeKey?: string;
  body: string;
}

/** The receiver and what it got. */
export interface VendorReceiver {
  url: string;
  server: VendorServer;
  messages(): ReceivedMessage[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1. */
export async function startVendorReceiver(): Promise<VendorReceiver> {
  const server = await startVendorServer();
  server.respondWith((request) => {
    if (request.path.includes('/Messages.json')) {
      return { status: 201, body: { sid: 'SM00000000000000000000000000000000', status: 'queued' } };
    }
    if (request.path.includes('/sendMessage')) return { status: 200, body: { ok: true, result: { message_id: 1 } } };
    return { status: 200, body: {} };
  });
  const vendorOf = (path: string): ReceivedMessage['vendor'] =>
    path.includes('/Messages.json') ? 'twilio' : path.includes('/sendMessage') ? 'telegram' : 'webhook';
  return {
    url: server.url,
    server,
    messages: () =>
      server.requests.map((request) => {
        const vendor = vendorOf(request.path);
        if (vendor !== 'webhook') return { vendor, body: request.body };
        try {
          const parsed = JSON.parse(request.body) as { kind?: string; dedupeKey?: string };
          return { vendor, kind: parsed.kind, dedupeKey: parsed.dedupeKey, body: request.body };
        } catch {
          return { vendor, body: request.body };
        }
      }),
    close: () => server.close(),
  };
}
