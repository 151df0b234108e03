/** `--log-level` and `--log-format`: the values they take, checked with the other settings (a bad one is exit 2). */
import { didYouMean } from './did-you-mean.js';
import type { LogLevel } from './output.js';

/** The log levels, most severe first. */
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** How log lines on stderr read: `pretty`, a narrative for a person; `json`, one JSON object a line. */
export type LogFormat = 'pretty' | 'json';

/** The log formats. */
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/** Whether a line at `level` is shown where the threshold is `threshold`. Errors always are. */
export function shows(threshold: LogLevel, level: LogLevel): boolean {
  return level === 'error' || LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

/** `value` where it is a log level, else `info` (a bad value is a problem of its own; it never hides the report). */
export function logLevelOf(value: string): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : 'info';
}

/** A problem for each value that is not one of its option's. */
export function logSettingsProblems(level: string, format: string | undefined): string[] {
  const problems: string[] = [];
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(
      `--log-level ${JSON.stringify(level)} is not one of ${LOG_LEVELS.join('|')}${didYouMean(level, LOG_LEVELS)}`,
    );
  }
  if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) {
    problems.push(
      `--log-format ${JSON.stringify(format)} is not one of ${LOG_FORMATS.join('|')}${didYouMean(format, LOG_FORMATS)}`,
    );
  }
  return problems;
}
