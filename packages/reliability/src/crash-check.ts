import { expect } from 'vitest';
import { type CrashStep, crashAndRestart } from './crash-scenario.js';
import { recordFinding } from './findings.js';
import type { OperatorSetup } from './operator-setup.js';

/**
 * Kills the CLI at `step`, restarts it, and asserts: one switch on chain, to the first backup; no message about it
 * repeated on any channel, and at least one sent. Records the finding for the report.
 */
export async function expectOneSwitchAfterCrash(setup: OperatorSetup, step: CrashStep): Promise<void> {
  const result = await crashAndRestart(setup, step);
  recordFinding({
    area: 'process: kill -9',
    injected: `SIGKILL ${step} (state pending at kill: ${result.pendingAtKill}; switch on chain at kill: ${result.onChainAtKill}), then restart`,
    happened: `${result.switches} switch(es) on chain; restart exit ${result.restartExit}; messages ${JSON.stringify(result.messages)}; ${result.misses} missed slot(s)`,
    figures: { ...result.messages, switches: result.switches },
  });
  expect(result.switches).toBe(1);
  expect(result.finalKey).toBe(setup.backupKeys[0]);
  // No second message about the same switch, on any channel...
  expect(result.messages['webhook:confirmed'] ?? 0).toBeLessThanOrEqual(1);
  expect(result.messages['webhook:fired'] ?? 0).toBeLessThanOrEqual(1);
  const perChannel = (result.messages['webhook:confirmed'] ?? 0) + (result.messages['webhook:fired'] ?? 0);
  // Twilio and Telegram bodies carry no kind: at most the two messages a failover makes (fired, confirmed). They are
  // not held to the webhook's count: a kill -9 can land while one channel's delivery is in flight and another's was
  // answered (seen: SMS fired + confirmed, webhook confirmed only). A repeat would show on the webhook's kinds above.
  expect(result.messages.twilio ?? 0).toBeLessThanOrEqual(2);
  expect(result.messages.telegram ?? 0).toBeLessThanOrEqual(2);
  // ...and the operator hears about it at least once. (A kill between the confirmation and its delivery loses the
  // "confirmed" message: nothing owed is kept in the state file. See docs/reliability.md.)
  expect(perChannel).toBeGreaterThanOrEqual(1);
}
