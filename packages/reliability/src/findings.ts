/**
 * What a reliability scenario saw, for docs/reliability.md. Tests call {@link recordFinding} after their assertions;
 * when `RELIABILITY_FINDINGS` names a file (as `pnpm test:reliability` does) the finding is appended to it as one
 * JSON line, otherwise it is dropped, so the ordinary `pnpm test` writes nothing.
 */
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

/** One row of the report. */
export interface Finding {
  /** Fault matrix, several monitors, crashes, security, soak... */
  area: string;
  /** What was injected. */
  injected: string;
  /** What happened, in figures where there are any. */
  happened: string;
  /** Extra numbers (missed slots, switches, RSS samples...). */
  figures?: Record<string, unknown>;
}

/**
 * Records a finding under the running test's name (the report pairs it with the test's pass or fail).
 * @example
 * recordFinding({ area: 'fault matrix', injected: 'endpoint 0 down', happened: '1 switch, 1 missed slot' });
 */
export function recordFinding(finding: Finding): void {
  const file = process.env.RELIABILITY_FINDINGS;
  if (file === undefined || file === '') return;
  const test = expect.getState().currentTestName ?? 'unknown';
  appendFileSync(file, `${JSON.stringify({ test, ...finding })}\n`);
}
