import { NotifierError } from '../errors.js';
import type { Notifier, TrapNotification } from '../types.js';

/** Options of {@link consoleNotifier}. */
export interface ConsoleNotifierOptions {
  /**
   * Where each line goes. Standard error by default, so that JSON-lines output on standard output stays clean.
   * @default (line) => process.stderr.write(`${line}\n`)
   */
  write?: (line: string) => void;
  /**
   * The notifier's name in logs and events.
   * @default 'console'
   */
  name?: string;
}

/**
 * Writes each notification as one line: `2026-11-25T03:00:07.000Z CRITICAL witness-trap alice: ...`. For a terminal,
 * a log file or a supervisor's journal; it cannot fail on a vendor, so it is the notifier of last resort.
 *
 * @example
 * const lines: string[] = [];
 * const notifier = consoleNotifier({ write: (line) => lines.push(line) });
 */
export function consoleNotifier(options: ConsoleNotifierOptions = {}): Notifier {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = options.name ?? 'console';
  return {
    name,
    async notify(notification, signal) {
      if (signal?.aborted) {
        throw new NotifierError(`${name}: delivery aborted`, { notifier: name }, { code: 'NOTIFIER_ABORTED' });
      }
      write(consoleLine(notification));
    },
  };
}

/** One notification as one log line: time, severity, text (newlines folded). */
export function consoleLine(notification: TrapNotification): string {
  const text = notification.text.replace(/\s*\n\s*/g, ' ');
  return `${new Date(notification.at).toISOString()} ${notification.severity.toUpperCase()} ${text}`;
}
