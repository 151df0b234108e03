import { NotifierError, TimeoutError, toWitnessTrapError } from '../errors.js';
import { dedupeNotifier } from '../notify/dedupe.js';
import { formatNotification, type NotificationFacts } from '../notify/format.js';
import type { Clock, NotificationKind, Notifier, TrapNotification } from '../types.js';
import { withIoTimeout } from './io-timeout.js';

/** What the dispatcher reports back (the trap turns these into `notified` / `notify-failed` events). */
export interface NotifyReport {
  delivered(notifier: string, kind: NotificationKind, elapsedMs: number): void;
  failed(notifier: string, kind: NotificationKind, error: NotifierError | TimeoutError): void;
}

/** Options for {@link NotifyDispatch}. */
export interface NotifyDispatchOptions {
  witness: string;
  notifiers: readonly Notifier[];
  clock: Clock;
  /** Per notifier and message, real time (a network wait). */
  timeoutMs: number;
  /** A message with the same `dedupeKey` as one delivered less than this long ago is not sent again. */
  dedupeMs: number;
  report: NotifyReport;
}

/**
 * Sends the trap's news to every notifier, concurrently, each under a timeout, without ever being awaited by the
 * failover: `send` returns at once. Each notifier is wrapped in {@link dedupeNotifier}, so duplicate news (same
 * `dedupeKey`) within `dedupeMs` is dropped and a flapping condition cannot page the operator fifty times.
 */
export class NotifyDispatch {
  readonly #options: NotifyDispatchOptions;
  readonly #notifiers: Notifier[];
  /** Per message, the notifiers that dropped it as a duplicate (no `notified` event for those). */
  readonly #suppressed = new WeakMap<TrapNotification, Set<string>>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: NotifyDispatchOptions) {
    this.#options = options;
    this.#notifiers = options.notifiers.map((notifier) =>
      dedupeNotifier(notifier, {
        windowMs: options.dedupeMs,
        now: () => options.clock.now(),
        onSuppressed: (notification) => {
          const names = this.#suppressed.get(notification) ?? new Set<string>();
          names.add(notifier.name);
          this.#suppressed.set(notification, names);
        },
      }),
    );
  }

  /** Queues one piece of news for every notifier and returns at once. */
  send(kind: NotificationKind, facts: NotificationFacts): void {
    const notification = formatNotification({
      kind,
      witness: this.#options.witness,
      facts,
      at: this.#options.clock.now(),
    });
    for (const notifier of this.#notifiers) {
      const delivery = this.#deliver(notifier, notification);
      this.#inFlight.add(delivery);
      void delivery.finally(() => this.#inFlight.delete(delivery));
    }
  }

  /** Resolves when every message sent so far was delivered, failed or timed out. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #deliver(notifier: Notifier, notification: TrapNotification): Promise<void> {
    const { clock, timeoutMs, report } = this.#options;
    const started = clock.now();
    try {
      await withIoTimeout(
        (signal) => notifier.notify(notification, signal),
        timeoutMs,
        () => {
          throw new TimeoutError(`notifier ${notifier.name} did not answer within ${timeoutMs} ms`);
        },
      );
      if (this.#suppressed.get(notification)?.has(notifier.name)) return;
      report.delivered(notifier.name, notification.kind, clock.now() - started);
    } catch (error) {
      report.failed(notifier.name, notification.kind, asNotifierFailure(notifier.name, error));
    }
  }
}

function asNotifierFailure(name: string, error: unknown): NotifierError | TimeoutError {
  if (error instanceof NotifierError || error instanceof TimeoutError) return error;
  const wrapped = toWitnessTrapError(error, 'NOTIFIER_FAILED');
  return new NotifierError(wrapped.message, { notifier: name }, { cause: error });
}
