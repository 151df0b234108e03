/**
 * Where everything the CLI says goes. Results (status, keygen, check) go to stdout; logs go to stderr as a narrative
 * on a terminal and as JSON lines elsewhere; with `--json`, logs are JSON lines on stdout beside the result. Every
 * byte passes through one redaction step: configured secrets and anything shaped like a WIF key never get out.
 */
import { WIF_PATTERN } from './hive-keys.js';
import { type LogFormat, shows } from './log-settings.js';

/** A stream the output writes to (`process.stdout`, `process.stderr`, or a test's collector). */
export interface OutputStream {
  /**
   * Takes text already redacted: whole lines, except the live status line a terminal gets redrawn in place with
   * `\r`. The return value (back-pressure) is ignored.
   */
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** The terminal's width, where it is one. */
  columns?: number;
}

/** How loud a log line is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options for {@link Output}. */
export interface OutputOptions {
  /** @default process.stdout */
  stdout?: OutputStream;
  /** @default process.stderr */
  stderr?: OutputStream;
  /** JSON results and JSON-line logs on stdout. @default false */
  json?: boolean;
  /** The environment, for `NO_COLOR`. @default process.env */
  env?: Record<string, string | undefined>;
  /** Values never to print (tokens, keys); more can be added with `addSecret`. */
  secrets?: string[];
  /** The least severe log line shown (`--log-level`). @default 'info' */
  level?: LogLevel;
  /** How log lines on stderr read (`--log-format`). @default pretty where stderr is a terminal, else json */
  format?: LogFormat;
}

const COLORS = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

/** One place for everything the CLI prints. */
export class Output {
  readonly json: boolean;
  /** A human is watching stderr: narrative lines, colors (unless NO_COLOR), and a live status line. */
  readonly interactive: boolean;
  private readonly stdout: OutputStream;
  private readonly stderr: OutputStream;
  private readonly color: boolean;
  private readonly level: LogLevel;
  /** A live status line can be redrawn: a narrative on a real terminal. */
  private readonly tty: boolean;
  private readonly secrets = new Set<string>();
  private readonly replacements = new Map<string, string>();
  private liveText = '';

  constructor(options: OutputOptions = {}) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    const env = options.env ?? process.env;
    this.level = options.level ?? 'info';
    this.interactive = !this.json && (options.format ? options.format === 'pretty' : this.stderr.isTTY === true);
    this.tty = this.interactive && this.stderr.isTTY === true;
    this.color = this.tty && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
    for (const secret of options.secrets ?? []) this.addSecret(secret);
  }

  /** Never print `value` (a token, a private key) from now on, whatever message carries it. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 6) this.secrets.add(value);
  }

  /**
   * Prints `shown` wherever `value` would appear: for a node URL that carries an API key in its path or userinfo,
   * its origin stays readable and the key does not.
   */
  addReplacement(value: string, shown: string): void {
    if (value !== shown && value.length >= 6) this.replacements.set(value, shown);
  }

  /** Removes secrets from text about to be printed. */
  redact(text: string): string {
    let out = text.replace(WIF_PATTERN, '[redacted]');
    for (const [value, shown] of this.replacements) out = out.split(value).join(shown);
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  /**
   * One log record: `event` is a stable machine name (`missed`, `confirmed`, ...), `message` the human line,
   * `fields` the facts (JSON-lines output carries them with stable names).
   */
  log(level: LogLevel, event: string, message: string, fields: Record<string, unknown> = {}): void {
    if (!shows(this.level, level)) return;
    if (this.interactive) {
      const mark = { debug: '·', info: '•', warn: '!', error: '✗' }[level];
      const paint = { debug: 'dim', info: 'cyan', warn: 'yellow', error: 'red' } as const;
      const time = new Date().toISOString().slice(11, 19);
      this.writeAboveLive(`${this.paint('dim', time)} ${this.paint(paint[level], mark)} ${message}\n`);
      return;
    }
    const record = { time: new Date().toISOString(), level, event, message, ...jsonSafe(fields) };
    const line = `${JSON.stringify(record)}\n`;
    (this.json ? this.stdout : this.stderr).write(this.redact(line));
  }

  /** A line of narrative for a human (a terminal); in JSON mode it becomes an `info` record named `event`. */
  say(text: string, event = 'note', fields: Record<string, unknown> = {}): void {
    if (this.interactive) this.writeAboveLive(`${text}\n`);
    else this.log('info', event, text.trim(), fields);
  }

  /**
   * A warning for the person at the keyboard that must stay off stdout even with `--json` (keygen's "store this
   * key" warning beside a JSON result that scripts parse). Plain text on stderr.
   */
  notice(message: string): void {
    this.stderr.write(this.redact(`witness-trap: ${message}\n`));
  }

  /** A question for the person at the terminal (stderr, no newline: the answer is typed after it), redacted. */
  prompt(text: string): void {
    this.endLive();
    this.stderr.write(this.redact(text));
  }

  /** Highlights part of a narrative line. */
  paint(color: keyof typeof COLORS, text: string): string {
    return this.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
  }

  /** The command's result: one JSON object with `--json`, else the human text. Always stdout. */
  result(value: Record<string, unknown>, human: string): void {
    const text = this.json ? `${JSON.stringify(jsonSafe(value))}\n` : `${human}\n`;
    this.stdout.write(this.redact(text));
  }

  /**
   * A result that IS a secret the operator asked for (keygen's private key): stdout only, not redacted. The one
   * exception to redaction, so it has its own name.
   */
  revealResult(value: Record<string, unknown>, human: string): void {
    this.stdout.write(this.json ? `${JSON.stringify(value)}\n` : `${human}\n`);
  }

  /** Replaces the live status line (terminals only; a no-op elsewhere, so it never fills logs). */
  live(text: string): void {
    if (!this.tty) return;
    // A line wider than the terminal wraps, and the carriage return would then redraw only its last part.
    const width = this.stderr.columns;
    this.liveText = width && text.length >= width ? `${text.slice(0, Math.max(0, width - 2))}…` : text;
    this.stderr.write(this.redact(`\r\u001b[2K${this.paint('dim', this.liveText)}`));
  }

  /** Clears the live line (before exit). */
  endLive(): void {
    if (this.tty && this.liveText) this.stderr.write('\r\u001b[2K');
    this.liveText = '';
  }

  private writeAboveLive(text: string): void {
    const clear = this.liveText ? '\r\u001b[2K' : '';
    const redraw = this.liveText ? this.paint('dim', this.liveText) : '';
    this.stderr.write(this.redact(`${clear}${text}${redraw}`));
  }
}

/** Errors become `{code, message}`, bigints strings, nothing circular: what JSON lines can carry. */
export function jsonSafe(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = safeValue(value, 0);
  return out;
}

function safeValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'ERROR', message: value.message };
  }
  if (typeof value === 'bigint') return value.toString();
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => safeValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = safeValue(item, depth + 1);
  return out;
}
