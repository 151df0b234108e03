/**
 * How a signal shows in the exit code. SIGINT (Ctrl-C) is an interruption: 130 (128 + 2), as shells and scripts
 * expect, never the 0 of a confirmed switch. SIGTERM is how systemd and Docker stop a service: after the clean stop
 * it exits 0. A second signal stops at once, with 128 + its number.
 */
import { ExitCode } from './exit-codes.js';

/** Exit codes of a run stopped by a signal. */
export const SignalExit = {
  /** SIGINT: the run was interrupted (128 + 2). */
  interrupted: 130,
  /** A second SIGTERM, which does not wait for the clean stop (128 + 15). */
  terminated: 143,
} as const;

/**
 * The exit code of a command that ended with `code` after the first `signal`: 130 for SIGINT where it would have
 * said 0; a command's own failure (1, 2, 3) keeps its meaning either way.
 */
export function exitCodeAfterSignal(signal: NodeJS.Signals | undefined, code: number): number {
  return signal === 'SIGINT' && code === ExitCode.ok ? SignalExit.interrupted : code;
}

/** The exit code when a second signal insists (no clean stop). */
export function exitCodeOfSecondSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? SignalExit.interrupted : SignalExit.terminated;
}
