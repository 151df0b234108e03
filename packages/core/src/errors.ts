/**
 * Every error witness-trap throws or emits is a {@link WitnessTrapError}: a string `code` to match on, whether
 * trying again may help (`isRetryable`), the underlying `cause`, and whether it is a configuration problem
 * (nothing was or will be broadcast; the CLI exits 2) or a runtime one (exit 1).
 */

/** Whether an error is about the setup (fix the config) or about something that happened while running. */
export type ErrorKind = 'config' | 'runtime';

/** Options common to every witness-trap error. */
export interface WitnessTrapErrorOptions {
  cause?: unknown;
  /** @default false */
  isRetryable?: boolean;
  /** Extra facts for logs (never a secret). */
  details?: Record<string, unknown>;
}

/** The base class of every witness-trap error. */
export class WitnessTrapError extends Error {
  /** Stable, machine-readable, e.g. `CONFIG_NO_BACKUP_KEY`, `RPC_ERROR`, `SWITCH_NOT_CONFIRMED`. */
  readonly code: string;
  /** Trying the same thing again (later, or elsewhere) may succeed. */
  readonly isRetryable: boolean;
  /** `config`: fix the setup, nothing was broadcast. `runtime`: something failed while running. */
  readonly kind: ErrorKind;
  /** Extra facts for logs (never a secret). */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, kind: ErrorKind, options: WitnessTrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WitnessTrapError';
    this.code = code;
    this.kind = kind;
    this.isRetryable = options.isRetryable ?? false;
    this.details = options.details ?? {};
  }
}

/** The setup cannot work (unknown witness, no usable backup, no key that can sign the switch, bad option). */
export class ConfigError extends WitnessTrapError {
  /** Every problem found, where several were (the message joins them). */
  readonly problems: string[];
  constructor(code: string, message: string, options: WitnessTrapErrorOptions & { problems?: string[] } = {}) {
    super(code, message, 'config', options);
    this.name = 'ConfigError';
    this.problems = options.problems ?? [message];
  }
}

/** An RPC node answered with a JSON-RPC error, or with something that is not a valid answer. */
export class RpcError extends WitnessTrapError {
  /** The node's URL. */
  readonly node: string;
  /** The JSON-RPC method. */
  readonly method: string;
  /** hived's `error.data.name` where given, e.g. `tx_missing_other_auth`, `assert_exception`. */
  readonly dataName: string | undefined;
  /** hived's `error.data.code` where given, e.g. 3040000, 4030100. */
  readonly dataCode: number | undefined;
  /** The JSON-RPC `error.code`, or the HTTP status where the node did not speak JSON-RPC. */
  readonly rpcCode: number | undefined;
  constructor(
    message: string,
    fields: { node: string; method: string; dataName?: string; dataCode?: number; rpcCode?: number },
    options: WitnessTrapErrorOptions & { code?: string } = {},
  ) {
    super(options.code ?? 'RPC_ERROR', message, 'runtime', options);
    this.name = 'RpcError';
    this.node = fields.node;
    this.method = fields.method;
    this.dataName = fields.dataName;
    this.dataCode = fields.dataCode;
    this.rpcCode = fields.rpcCode;
  }
}

/** Something took longer than its bound (an RPC call, a broadcast, a notifier). Always retryable. */
export class TimeoutError extends WitnessTrapError {
  constructor(message: string, options: WitnessTrapErrorOptions = {}) {
    super('TIMEOUT', message, 'runtime', { ...options, isRetryable: true });
    this.name = 'TimeoutError';
  }
}

/** No fresh node could answer a decisive read: the trap must not decide anything on this data. */
export class StaleDataError extends WitnessTrapError {
  constructor(message: string, options: WitnessTrapErrorOptions = {}) {
    super('STALE_DATA', message, 'runtime', { ...options, isRetryable: true });
    this.name = 'StaleDataError';
  }
}

/** Fresh nodes gave different answers to a decisive read: the trap must not decide anything on this data. */
export class DisagreementError extends WitnessTrapError {
  constructor(message: string, options: WitnessTrapErrorOptions = {}) {
    super('NODES_DISAGREE', message, 'runtime', { ...options, isRetryable: true });
    this.name = 'DisagreementError';
  }
}

/** Every node rejected a broadcast. `dataName` is hived's reason where one was given. */
export class BroadcastRejectedError extends WitnessTrapError {
  readonly dataName: string | undefined;
  readonly failures: Array<{ node: string; error: Error }>;
  constructor(
    message: string,
    fields: { dataName?: string; failures: Array<{ node: string; error: Error }> },
    options: WitnessTrapErrorOptions = {},
  ) {
    super('BROADCAST_REJECTED', message, 'runtime', options);
    this.name = 'BroadcastRejectedError';
    this.dataName = fields.dataName;
    this.failures = fields.failures;
  }
}

/** The signer could not sign (no such key, an external signer failed). */
export class SignerError extends WitnessTrapError {
  constructor(code: string, message: string, options: WitnessTrapErrorOptions = {}) {
    super(code, message, 'runtime', options);
    this.name = 'SignerError';
  }
}

/** The state file could not be read or written. */
export class StateError extends WitnessTrapError {
  constructor(code: string, message: string, options: WitnessTrapErrorOptions = {}) {
    super(code, message, 'runtime', options);
    this.name = 'StateError';
  }
}

/** A switch did not land on chain in time, after every retry. */
export class SwitchFailedError extends WitnessTrapError {
  constructor(code: string, message: string, options: WitnessTrapErrorOptions = {}) {
    super(code, message, 'runtime', options);
    this.name = 'SwitchFailedError';
  }
}

/** A notifier gave up. `vendorCode`/`vendorMessage` are the vendor's own (Twilio's `code`, Telegram's `description`). */
export class NotifierError extends WitnessTrapError {
  readonly notifier: string;
  readonly status: number | undefined;
  readonly vendorCode: string | number | undefined;
  readonly vendorMessage: string | undefined;
  constructor(
    message: string,
    fields: { notifier: string; status?: number; vendorCode?: string | number; vendorMessage?: string },
    options: WitnessTrapErrorOptions & { code?: string } = {},
  ) {
    super(options.code ?? 'NOTIFIER_FAILED', message, 'runtime', options);
    this.name = 'NotifierError';
    this.notifier = fields.notifier;
    this.status = fields.status;
    this.vendorCode = fields.vendorCode;
    this.vendorMessage = fields.vendorMessage;
  }
}

/** Narrows `unknown` to a witness-trap error. */
export function isWitnessTrapError(error: unknown): error is WitnessTrapError {
  return error instanceof WitnessTrapError;
}

/** Wraps anything thrown into a witness-trap error, keeping the original as `cause`. */
export function toWitnessTrapError(error: unknown, code = 'UNEXPECTED'): WitnessTrapError {
  if (error instanceof WitnessTrapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WitnessTrapError(code, message, 'runtime', { cause: error });
}
