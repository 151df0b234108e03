/**
 * `status`'s verdict: one word for a person or a monitoring system, the lines that caused it, and an exit code by
 * the monitoring-plugin convention (Nagios, Icinga, Sensu, cron wrappers): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
import type { ViewLine, WitnessView } from './witness-view.js';

/** Monitoring-plugin exit codes (`status` only; every other command keeps the exit codes of exit-codes.ts). */
export const StatusExit = {
  /** The witness produces its slots with a configured key, and the trap's state says it is watching. */
  ok: 0,
  /** Nothing lost yet, but a person should look: a switch in flight, the trap not running with this state. */
  warning: 1,
  /** Blocks are being lost or the witness is disabled. */
  critical: 2,
  /** The chain could not be read: nothing is known. */
  unknown: 3,
} as const;

/** How bad a finding is. */
export type Severity = keyof typeof StatusExit;

/** What `status` says on top. */
export type StatusState =
  | 'OK'
  | 'MISSING BLOCKS'
  | 'DISABLED'
  | 'SWITCH PENDING'
  | 'TRAP NOT RUNNING'
  | 'DEGRADED'
  | 'UNKNOWN';

/** One finding behind the verdict. */
export interface StatusFinding {
  state: Exclude<StatusState, 'OK'>;
  severity: Severity;
  /** One line: what is wrong and what to do. */
  message: string;
  /** The line of the table it points at (absent for UNKNOWN, which has no table). */
  line?: ViewLine;
}

/** The verdict, as `status --json` prints it under `verdict`. Field names are stable: scripts read them. */
export interface StatusVerdict {
  /** The worst finding's state, or `OK`. */
  state: StatusState;
  severity: Severity;
  exitCode: number;
  /** The top line: `CRITICAL: MISSING BLOCKS since ...`. */
  summary: string;
  /** Every finding, worst first. */
  findings: StatusFinding[];
}

const ORDER: Severity[] = ['critical', 'unknown', 'warning', 'ok'];

/**
 * The verdict on a witness view (with `view.trap` read from `statePath`).
 * @example
 * const verdict = statusVerdict(view, '/var/lib/witness-trap/state.json');
 * process.exitCode = verdict.exitCode;
 */
export function statusVerdict(view: WitnessView, statePath: string): StatusVerdict {
  const findings: StatusFinding[] = [];
  if (view.disabled) {
    findings.push({
      state: 'DISABLED',
      severity: 'critical',
      line: 'signing key',
      message: `the null key is on chain: ${view.witness} produces no blocks until someone runs witness-trap enable --to KEY with the active key`,
    });
  } else if (view.missedSlot) {
    findings.push({
      state: 'MISSING BLOCKS',
      severity: 'critical',
      line: 'last block',
      message: `since #${view.lastBlock} (${view.lastBlockAgeSeconds} s ago): slot ${view.missedSlot.aslot} due ${view.missedSlot.time} passed without a block from ${view.witness}`,
    });
  }
  const trap = view.trap;
  if (trap?.pending) {
    findings.push({
      state: 'SWITCH PENDING',
      severity: 'warning',
      line: 'in flight',
      message: `a switch to ${trap.pending.toKey} is signed but not yet on chain (tx ${trap.pending.txId}, expires ${trap.pending.expiresAt})`,
    });
  }
  if (trap === null || trap === undefined) {
    findings.push({
      state: 'TRAP NOT RUNNING',
      severity: 'warning',
      line: 'trap state',
      message: `no state file at ${statePath}: no trap has run with this --state (start witness-trap run, or give the --state it uses)`,
    });
  } else if (trap.lastSwitch?.ended && !trap.pending) {
    findings.push({
      state: 'TRAP NOT RUNNING',
      severity: 'warning',
      line: 'trap state',
      message: `the one-shot run fired at ${trap.lastSwitch.at} and ended: nothing watches ${view.witness} until witness-trap run is started again`,
    });
  }
  if (view.degraded) {
    const down = view.nodes
      .filter((node) => !node.available)
      .map((node) => `${node.url} (${node.unavailableReason ?? 'no answer'})`);
    findings.push({
      state: 'DEGRADED',
      severity: 'warning',
      line: 'nodes',
      message: `${view.nodesAvailable} of ${view.nodesConfigured} RPC nodes available, fewer than a majority: the trap decides on them (a miss must hold on two reads a block apart); unavailable: ${down.join(', ')}`,
    });
  }
  return verdictOf(findings);
}

/** The verdict where the chain could not be read at all. */
export function unknownVerdict(reason: string): StatusVerdict {
  return verdictOf([{ state: 'UNKNOWN', severity: 'unknown', message: `the chain could not be read: ${reason}` }]);
}

function verdictOf(findings: StatusFinding[]): StatusVerdict {
  findings.sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
  const worst = findings[0];
  if (!worst) return { state: 'OK', severity: 'ok', exitCode: StatusExit.ok, summary: 'OK', findings };
  return {
    state: worst.state,
    severity: worst.severity,
    exitCode: StatusExit[worst.severity],
    summary:
      worst.state === 'UNKNOWN'
        ? `UNKNOWN: ${worst.message}`
        : `${worst.severity.toUpperCase()}: ${worst.state}${worst.message.startsWith('since') ? ' ' : ': '}${worst.message}`,
    findings,
  };
}
