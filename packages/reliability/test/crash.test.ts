/**
 * kill -9 of the CLI in the middle of a failover, then a restart from the same state file (the full matrix of steps
 * runs in `pnpm test:reliability`; here, the step where a double switch or a second message is most likely).
 */
import { afterEach, beforeAll, describe, it } from 'vitest';
import { cliBin } from '../src/cli-process.js';
import { expectOneSwitchAfterCrash } from '../src/crash-check.js';
import { type OperatorSetup, operatorSetup } from '../src/operator-setup.js';

let op: OperatorSetup | undefined;
beforeAll(async () => {
  await cliBin();
}, 60_000);
afterEach(async () => {
  await op?.close();
  op = undefined;
});

describe('kill -9 during a failover', () => {
  it('after the broadcast: the restart confirms the same switch, one switch on chain, no message repeated', async () => {
    op = await operatorSetup();
    await expectOneSwitchAfterCrash(op, 'after broadcast');
  }, 60_000);
});
