import { randomInt, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { TrapEvents } from '../events.js';
import { isNullSigningKey } from '../tx/public-key.js';
import { NULL_SIGNING_KEY, type PublicKeyString } from '../types.js';
import { sharedAbortController } from './run-signal.js';
import type { SwitchOutcome } from './switch.js';

/** The commands a remote (Telegram, a web UI, custom tooling) can give a running trap. */
export type ControlCommandName = 'status' | 'pause' | 'resume' | 'switch' | 'disable' | 'confirm';

/**
 * One command for {@link TrapControl.command}. `by` says who asked, in the remote's terms (`telegram:12345`, `api`):
 * it is carried into every event, notification and log line about the command.
 */
export type ControlCommand =
  | { command: 'status' | 'pause' | 'resume'; by: string }
  | {
      command: 'switch';
      by: string;
      /** A configured backup key. @default the next backup key in the configured order */
      to?: PublicKeyString;
      /**
       * Do not switch yet: answer a one-time 6-digit code, and switch only when the same `by` sends it back with
       * `confirm` before it expires (60 s). What a remote on a phone should use. @default false
       */
      confirm?: boolean;
    }
  | {
      command: 'disable';
      by: string;
      /** As for `switch`: answer a one-time code first. @default false */
      confirm?: boolean;
    }
  | {
      /** Carries out the `switch` or `disable` that `by` asked for last, if `code` is its code and still valid. */
      command: 'confirm';
      by: string;
      code: string;
    };

/** Why a command was refused. Nothing was changed. */
export type ControlRefusalCode =
  /** The trap has not armed yet (it has not read the chain). */
  | 'NOT_ARMED'
  /** `pause` on a paused trap, `resume` on a trap that is not paused. */
  | 'NO_CHANGE'
  /** `switch` to a key that is not among the configured backup keys: a remote never names a key of its own. */
  | 'NOT_A_BACKUP_KEY'
  /** The key asked for is already the signing key (or the witness is already disabled). */
  | 'ALREADY_ON_KEY'
  /** No backup key to switch to. */
  | 'NO_BACKUP_KEY'
  /** Another manual switch is already queued or in flight. */
  | 'BUSY'
  /** The trap cannot sign the switch (no private key for the current key, and no active key). */
  | 'CANNOT_SIGN'
  /** The trap is stopping or stopped. */
  | 'STOPPED'
  /** `confirm` from someone with no code outstanding (never asked, already used, or a wrong code spent it). */
  | 'NO_CODE'
  /** `confirm` with a code that is not the one issued: the issued code is spent too (one try per code). */
  | 'WRONG_CODE'
  /** `confirm` after the code's 60 s. */
  | 'CODE_EXPIRED';

/** What a command did. */
export type ControlResult =
  | {
      ok: true;
      command: ControlCommandName;
      /** The switch that `switch` or `disable` made (confirmed on chain, or signed only in a dry run). */
      switch?: SwitchOutcome;
      /**
       * `switch` or `disable` with `confirm: true`: nothing done yet. The code to send back with `confirm`, the key
       * the switch would go to, and when the code expires (the trap's clock, epoch ms).
       */
      confirmation?: { code: string; toKey: PublicKeyString; expiresAt: number };
    }
  | {
      ok: false;
      command: ControlCommandName;
      code: ControlRefusalCode | 'SWITCH_FAILED';
      /** One line for the operator; never a secret. */
      message: string;
    };

/** Called as a manual switch makes progress, for a remote that answers step by step (tx id first, then the block). */
export interface ControlProgress {
  /** The switch went out: its transaction id. */
  broadcast?(event: TrapEvents['broadcast']): void;
}

/**
 * The control surface of a trap, for remotes: a status snapshot and commands. `FailoverTrap` implements it; a remote
 * depends only on this (and tests can hand it a fake). Every command emits `command` when received, then
 * `command-refused` or `command-executed`.
 */
export interface TrapControl<Status = unknown> {
  /** What the trap knows now. Cheap and synchronous: no chain read. */
  status(): Status;
  /**
   * Runs one command. Resolves (never rejects) with what happened: a switch resolves once it is confirmed on chain
   * or has failed, exactly as an automatic one would.
   */
  command(request: ControlCommand, progress?: ControlProgress): Promise<ControlResult>;
}

/** Who paused the trap, and when (local epoch ms). */
export interface PauseState {
  at: number;
  by: string;
}

/** A manual switch waiting for the run loop, or running in it. */
export interface ManualSwitchRequest {
  toKey: PublicKeyString;
  by: string;
  progress?: ControlProgress;
  settle(outcome: { outcome: SwitchOutcome } | { error: Error }): void;
}

/**
 * The trap's control state: whether it is paused, and the manual switch (at most one) handed to the run loop.
 * The run loop polls {@link ControlDesk.take} between steps and watches {@link ControlDesk.wakeSignal}, so that a
 * manual switch asked while the trap waits for a slot runs at once, through the same switch machinery as a failover.
 */
export class ControlDesk {
  #paused: PauseState | undefined;
  #queued: ManualSwitchRequest | undefined;
  #busy = false;
  #wake = sharedAbortController();
  #combined: { run: AbortSignal; wake: AbortSignal; signal: AbortSignal; abort: () => void } | undefined;

  /** Set while paused: the trap keeps watching but never fires on its own. */
  get paused(): PauseState | undefined {
    return this.#paused;
  }

  /** Pauses; `false` where it was paused already. */
  pause(state: PauseState): boolean {
    if (this.#paused !== undefined) return false;
    this.#paused = state;
    return true;
  }

  /** Resumes; `false` where it was not paused. */
  resume(): boolean {
    if (this.#paused === undefined) return false;
    this.#paused = undefined;
    return true;
  }

  /** A manual switch is queued or running. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Hands a manual switch to the run loop and wakes it. Resolves when the loop has run it. */
  enqueue(toKey: PublicKeyString, by: string, progress?: ControlProgress): Promise<SwitchOutcome> {
    this.#busy = true;
    return new Promise<SwitchOutcome>((resolve, reject) => {
      this.#queued = {
        toKey,
        by,
        ...(progress === undefined ? {} : { progress }),
        settle: (result) => {
          this.#busy = false;
          if ('error' in result) reject(result.error);
          else resolve(result.outcome);
        },
      };
      this.#wake.abort();
    });
  }

  /** Runs a manual switch outside the run loop (the trap is not running), marked busy while it lasts. */
  async direct<T>(work: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      return await work();
    } finally {
      this.#busy = false;
    }
  }

  /** The queued manual switch, if any, taken off the queue (the run loop then owns it). */
  take(): ManualSwitchRequest | undefined {
    const request = this.#queued;
    this.#queued = undefined;
    if (this.#wake.signal.aborted) this.#wake = sharedAbortController();
    return request;
  }

  /** A queued switch is waiting for the run loop. */
  get waiting(): boolean {
    return this.#queued !== undefined;
  }

  /**
   * The run's signal, also aborted when a manual switch is queued: the watch loop's waits end at once. One combined
   * signal per run and wake-up, not one per wait (a daemon waits millions of times).
   */
  wakeSignal(run: AbortSignal): AbortSignal {
    const cached = this.#combined;
    if (cached !== undefined && cached.run === run && cached.wake === this.#wake.signal) return cached.signal;
    // The signals it replaces stop listening for it: a daemon that takes many manual switches over one run would
    // otherwise pile a listener on the run's signal per switch.
    if (cached !== undefined) {
      cached.run.removeEventListener('abort', cached.abort);
      cached.wake.removeEventListener('abort', cached.abort);
    }
    const wake = this.#wake.signal;
    const combined = sharedAbortController();
    const abort = () => combined.abort(run.aborted ? run.reason : wake.reason);
    if (run.aborted || wake.aborted) abort();
    run.addEventListener('abort', abort, { once: true });
    wake.addEventListener('abort', abort, { once: true });
    this.#combined = { run, wake, signal: combined.signal, abort };
    return combined.signal;
  }

  /** Refuses whatever is queued (the run ended before taking it). */
  drain(error: Error): void {
    const request = this.take();
    request?.settle({ error });
  }
}

/** How the trap sees a key, for a status answer: which configured key it is. */
export type KeyRole = 'backup' | 'held' | 'null' | 'unknown';

/** Which configured key `key` is: a backup (with its 1-based place), a held key (the primary), the null key. */
export function describeKey(
  key: PublicKeyString,
  backupKeys: readonly PublicKeyString[],
  heldKeys: ReadonlySet<PublicKeyString>,
): { keyRole: KeyRole; backupIndex?: number } {
  if (isNullSigningKey(key)) return { keyRole: 'null' };
  const index = backupKeys.indexOf(key);
  if (index >= 0) return { keyRole: 'backup', backupIndex: index + 1 };
  return { keyRole: heldKeys.has(key) ? 'held' : 'unknown' };
}

/**
 * The key a manual `switch` or `disable` goes to, or why there is none. A remote may only name a configured backup
 * key (or ask for the null key with `disable`): a key that is not in the configuration is refused, whoever asks.
 */
export function manualTarget(
  request: ControlCommand,
  currentKey: PublicKeyString,
  backupKeys: readonly PublicKeyString[],
  next: PublicKeyString | undefined,
): { toKey: PublicKeyString } | { code: ControlRefusalCode; message: string } {
  if (request.command === 'disable') {
    if (isNullSigningKey(currentKey)) return { code: 'ALREADY_ON_KEY', message: 'the witness is already disabled' };
    return { toKey: NULL_SIGNING_KEY };
  }
  const asked = request.command === 'switch' ? request.to : undefined;
  if (asked !== undefined && !backupKeys.includes(asked)) {
    return { code: 'NOT_A_BACKUP_KEY', message: `${asked} is not one of the configured backup keys` };
  }
  const toKey = asked ?? next;
  if (toKey === undefined) return { code: 'NO_BACKUP_KEY', message: 'no backup key to switch to' };
  if (toKey === currentKey) return { code: 'ALREADY_ON_KEY', message: `${toKey} is already the signing key` };
  return { toKey };
}

/** A refusal from a `ConfigError` the switch machinery threw before anything was signed. */
export function refusalOf(error: unknown): { code: ControlRefusalCode | 'SWITCH_FAILED'; message: string } {
  if (error instanceof ConfigError) {
    const code = error.code === 'CONFIG_INVALID_KEY' ? 'ALREADY_ON_KEY' : 'CANNOT_SIGN';
    return { code, message: error.message };
  }
  return { code: 'SWITCH_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** A code issued for a `switch` or `disable`, waiting for its `confirm`. */
interface IssuedCode {
  code: string;
  command: 'switch' | 'disable';
  toKey: PublicKeyString;
  expiresAt: number;
}

/**
 * One-time confirmation codes: 6 digits from the OS's cryptographic random source, one outstanding per requester
 * (`by`), valid for `ttlMs`, good for one try: redeeming, rightly or wrongly, spends it. So a code seen over a
 * shoulder is useless a minute later, another chat cannot use it, and guessing gets one chance in a million per
 * request.
 */
export class ConfirmationCodes {
  readonly #issued = new Map<string, IssuedCode>();
  readonly #ttlMs: number;

  constructor(ttlMs = 60_000) {
    this.#ttlMs = ttlMs;
  }

  /** Issues a fresh code for `by` (replacing any earlier one of theirs). */
  issue(by: string, command: 'switch' | 'disable', toKey: PublicKeyString, now: number): IssuedCode {
    const issued = {
      code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      command,
      toKey,
      expiresAt: now + this.#ttlMs,
    };
    this.#issued.set(by, issued);
    return issued;
  }

  /** Spends `by`'s code: the command it stands for, or why not. */
  redeem(
    by: string,
    code: string,
    now: number,
  ): { command: 'switch' | 'disable'; toKey: PublicKeyString } | { code: ControlRefusalCode; message: string } {
    const issued = this.#issued.get(by);
    this.#issued.delete(by);
    if (issued === undefined) return { code: 'NO_CODE', message: 'no switch or disable waiting for a code' };
    const given = Buffer.from(code.trim().padEnd(6).slice(0, 6));
    if (code.trim().length !== 6 || !timingSafeEqual(given, Buffer.from(issued.code))) {
      return { code: 'WRONG_CODE', message: `wrong code: the ${issued.command} is cancelled, ask again` };
    }
    if (now > issued.expiresAt) {
      return { code: 'CODE_EXPIRED', message: `the code expired: the ${issued.command} is cancelled, ask again` };
    }
    return { command: issued.command, toKey: issued.toKey };
  }
}
