import type { FailoverTrapOptions } from '../trap.js';
import type { ArmingProblem } from './arming.js';

/** hived refuses a transaction that expires more than an hour after the head (`HIVE_MAX_TIME_UNTIL_EXPIRATION`). */
const MAX_CONFIRM_TIMEOUT_MS = 3_600_000;

/**
 * hived stores expirations in whole seconds and refuses one at or before the head's time: a switch that expires
 * less than a second after signing can never be included.
 */
const MIN_CONFIRM_TIMEOUT_MS = 1000;

/** The trap's timing and count options, as given (any may be absent: the defaults are valid). */
export type TimingOptions = Pick<
  FailoverTrapOptions,
  | 'blockIntervalMs'
  | 'pollIntervalMs'
  | 'confirmTimeoutMs'
  | 'notifyTimeoutMs'
  | 'maxAttempts'
  | 'broadcastTimeoutMs'
  | 'signTimeoutMs'
  | 'saveTimeoutMs'
  | 'stopTimeoutMs'
  | 'cooldownMs'
  | 'maxSwitches'
  | 'healthMaxLagBlocks'
  | 'notifyDedupeMs'
>;

/**
 * The problems with the trap's timing options, found when it arms rather than when it fires: a switch signed at
 * 3 a.m. must not be the first to learn that its expiration is out of hived's range.
 */
export function timingProblems(o: TimingOptions): ArmingProblem[] {
  const problems: ArmingProblem[] = [];
  const bad = (message: string) => problems.push({ code: 'CONFIG_INVALID_OPTION', message });
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      bad(`${name} must be a positive number, not ${value}`);
  };
  const whole = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
      bad(`${name} must be a whole number >= ${min}, not ${value}`);
    }
  };
  positive('blockIntervalMs', o.blockIntervalMs);
  positive('pollIntervalMs', o.pollIntervalMs);
  positive('notifyTimeoutMs', o.notifyTimeoutMs);
  positive('broadcastTimeoutMs', o.broadcastTimeoutMs);
  positive('signTimeoutMs', o.signTimeoutMs);
  positive('saveTimeoutMs', o.saveTimeoutMs);
  positive('stopTimeoutMs', o.stopTimeoutMs);
  positive('cooldownMs', o.cooldownMs);
  positive('notifyDedupeMs', o.notifyDedupeMs);
  whole('maxAttempts', o.maxAttempts, 1);
  whole('healthMaxLagBlocks', o.healthMaxLagBlocks, 0);
  if (o.maxSwitches !== undefined) {
    whole('maxSwitches.count', o.maxSwitches.count, 1);
    positive('maxSwitches.windowMs', o.maxSwitches.windowMs);
  }
  const confirm = o.confirmTimeoutMs;
  if (
    confirm !== undefined &&
    !(Number.isFinite(confirm) && confirm >= MIN_CONFIRM_TIMEOUT_MS && confirm <= MAX_CONFIRM_TIMEOUT_MS)
  ) {
    bad(
      `confirmTimeoutMs (the switch's expiration) must be within [${MIN_CONFIRM_TIMEOUT_MS}, ${MAX_CONFIRM_TIMEOUT_MS}] ms as hived accepts, not ${confirm}`,
    );
  }
  return problems;
}
