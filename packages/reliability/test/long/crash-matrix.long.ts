/** kill -9 of the CLI at every step of a failover, then a restart (seconds each: only in `pnpm test:reliability`). */
import { afterEach, beforeAll, describe, it } from 'vitest';
import { cliBin } from '../../src/cli-process.js';
import { expectOneSwitchAfterCrash } from '../../src/crash-check.js';
import { CRASH_STEPS } from '../../src/crash-scenario.js';
import { type OperatorSetup, operatorSetup } from '../../src/operator-setup.js';

let op: OperatorSetup | undefined;
beforeAll(async () => {
  await cliBin();
}, 60_000);
afterEach(async () => {
  await op?.close();
  op = undefined;
});

describe('kill -9 at every step of a failover, then restart', () => {
  for (const step of CRASH_STEPS) {
    it(`${step}: exactly one switch on chain, no message repeated`, async () => {
      op = await operatorSetup();
      await expectOneSwitchAfterCrash(op, step);
    }, 90_000);
  }
});
