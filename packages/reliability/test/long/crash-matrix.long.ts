/** kill -9 of the CLI at every step of a failover, then a restart (seconds each: only in `pnpm test:reliability`). */
import { describe, it } from 'vitest';
import { expectOneSwitchAfterCrash } from '../../src/crash-check.js';
import { CRASH_STEPS } from '../../src/crash-scenario.js';
import { operatorPerTest } from '../../src/operator-setup.js';

const setup = operatorPerTest();

describe('kill -9 at every step of a failover, then restart', () => {
  for (const step of CRASH_STEPS) {
    it(`${step}: exactly one switch on chain, no message repeated`, async () => {
      await expectOneSwitchAfterCrash(await setup(), step);
    }, 90_000);
  }
});
