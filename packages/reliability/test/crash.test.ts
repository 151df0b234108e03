/**
 * kill -9 of the CLI in the middle of a failover, then a restart from the same state file (the full matrix of steps
 * runs in `pnpm test:reliability`; here, the step where a double switch or a second message is most likely).
 */
import { describe, it } from 'vitest';
import { expectOneSwitchAfterCrash } from '../src/crash-check.js';
import { operatorPerTest } from '../src/operator-setup.js';

const setup = operatorPerTest();

describe('kill -9 during a failover', () => {
  it('after the broadcast: the restart confirms the same switch, one switch on chain, no message repeated', async () => {
    await expectOneSwitchAfterCrash(await setup(), 'after broadcast');
  }, 60_000);
});
