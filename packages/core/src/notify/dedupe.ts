import type { Notifier, TrapNotification } from '../types.js';

/** Options of {@link dedupeNotifier}. */
export interface DedupeNotifierOptions {
  /**
   * A notification whose `dedupeKey` was delivered less than this long ago is not sent again, ms.
   * @default 600000 (10 minutes)
   */
  windowMs?: number;
  /**
   * At most this many deliveries per `windowMs` across all keys, so that a flapping condition cannot send fifty
   * SMS. `critical` notifications are never held back by this cap (only by their own duplicate key).
   * @default 10
   */
  maxPerWindow?: number;
  /**
   * Now, epoch ms.
   * @default Date.now
   */
  now?: () => number;
  /** Told about every notification held back, and why. */
  onSuppressed?: (notification: TrapNotification, reason: 'duplicate' | 'rate-limit') => void;
}

/**
 * Wraps a notifier so that the same news is sent once per window and the total is capped. A held-back notification
 * resolves (it was deliberately not sent; `onSuppressed` hears of it). A delivery that failed does not count: the
 * next identical notification goes out. While one is in flight, an identical one waits for it and shares its outcome
 * (and counts as suppressed: only one message was sent).
 *
 * This is the notifier-side guard; the trap may suppress duplicates of its own as well (same `dedupeKey`s, so the
 * two agree). Wrap each notifier separately: a failure on one vendor must not silence another.
 *
 * @example
 * const sms = dedupeNotifier(twilioNotifier({ ... }), { windowMs: 15 * 60_000, maxPerWindow: 5 });
 */
export function dedupeNotifier(notifier: Notifier, options: DedupeNotifierOptions = {}): Notifier {
  const windowMs = options.windowMs ?? 600_000;
  const maxPerWindow = options.maxPerWindow ?? 10;
  const now = options.now ?? Date.now;
  const lastSent = new Map<string, number>();
  const inFlight = new Map<string, Promise<void>>();
  let sentTimes: number[] = [];

  const wrapped: Notifier = {
    name: notifier.name,
    async notify(notification, signal) {
      const key = notification.dedupeKey;
      const pending = inFlight.get(key);
      if (pending) {
        // Only one message goes out; this caller shares its outcome.
        options.onSuppressed?.(notification, 'duplicate');
        return pending;
      }
      const t = now();
      for (const [k, at] of lastSent) if (t - at >= windowMs) lastSent.delete(k);
      sentTimes = sentTimes.filter((at) => t - at < windowMs);
      if (lastSent.has(key)) {
        options.onSuppressed?.(notification, 'duplicate');
        return;
      }
      if (notification.severity !== 'critical' && sentTimes.length >= maxPerWindow) {
        options.onSuppressed?.(notification, 'rate-limit');
        return;
      }
      const delivery = notifier.notify(notification, signal).then(() => {
        lastSent.set(key, t);
        sentTimes.push(t);
      });
      inFlight.set(key, delivery);
      try {
        await delivery;
      } finally {
        inFlight.delete(key);
      }
    },
  };
  if (notifier.close) wrapped.close = () => notifier.close?.() ?? Promise.resolve();
  return wrapped;
}
