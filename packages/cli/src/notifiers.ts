/** The notifiers the operator configured: Twilio and Telegram from the environment, webhooks from `--webhook`. */
import type { Notifier } from '@witness-trap/core';
import type { Settings } from './config.js';

/** The configured notifiers, and every way their configuration is wrong (a half-configured Twilio, ...). */
export interface NotifierSetup {
  notifiers: Notifier[];
  problems: string[];
}

/** Builds every configured notifier. Never throws for a configuration mistake: returns it among `problems`. */
export async function buildNotifiers(settings: Settings): Promise<NotifierSetup> {
  const problems: string[] = [];
  const notifiers: Notifier[] = [];
  const attempt = (make: () => Notifier | undefined) => {
    try {
      const notifier = make();
      if (notifier) notifiers.push(notifier);
    } catch (error) {
      const found = (error as { problems?: unknown }).problems;
      problems.push(...(Array.isArray(found) ? found.map(String) : [(error as Error).message]));
    }
  };
  const [{ twilioNotifierFromEnv }, { telegramNotifierFromEnv }, { webhookNotifier }] = await Promise.all([
    import('@witness-trap/notifier-twilio'),
    import('@witness-trap/notifier-telegram'),
    import('@witness-trap/core'),
  ]);
  attempt(() => twilioNotifierFromEnv(settings.env));
  attempt(() => telegramNotifierFromEnv(settings.env));
  settings.webhooks.forEach((url, index) => {
    attempt(() => webhookNotifier({ url, name: settings.webhooks.length > 1 ? `webhook-${index + 1}` : 'webhook' }));
  });
  return { notifiers, problems };
}

/** How one notifier took a test message. */
export interface TestDelivery {
  notifier: string;
  ok: boolean;
  elapsedMs: number;
  /** Why it failed (the notifier's own message, secrets already redacted by it). */
  error?: string;
}

/** Sends one `test` notification through each notifier at once, then closes them. Never throws. */
export async function sendTestNotification(
  notifiers: readonly Notifier[],
  witness: string,
  note: string,
  signal?: AbortSignal,
): Promise<TestDelivery[]> {
  const { formatNotification } = await import('@witness-trap/core');
  const notification = formatNotification({ kind: 'test', witness, facts: { note } });
  return Promise.all(
    notifiers.map(async (notifier) => {
      const started = Date.now();
      try {
        await notifier.notify(notification, signal);
        return { notifier: notifier.name, ok: true, elapsedMs: Date.now() - started };
      } catch (error) {
        return { notifier: notifier.name, ok: false, elapsedMs: Date.now() - started, error: (error as Error).message };
      } finally {
        await notifier.close?.();
      }
    }),
  );
}
