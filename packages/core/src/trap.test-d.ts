import { describe, expectTypeOf, it } from 'vitest';
import type { WitnessTrapError } from './errors.js';
import type { SwitchOperation, TrapEvents, TriggerReason } from './events.js';
import type { FailoverTrapOptions, SignerWithActiveKey } from './index.js';
import type { SwitchOutcome } from './trap/switch.js';
import type { FailoverTrap, TrapOutcome, TrapStatus } from './trap.js';
import type { NotificationKind, PublicKeyString } from './types.js';

declare const trap: FailoverTrap;

describe('FailoverTrap events', () => {
  it('types each payload from the event name', () => {
    trap.on('missed', (e) => {
      expectTypeOf(e).toEqualTypeOf<TrapEvents['missed']>();
      expectTypeOf(e.aslot).toBeNumber();
      expectTypeOf(e.key).toEqualTypeOf<PublicKeyString>();
    });
    trap.on('triggered', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<TriggerReason>();
    });
    trap.on('broadcast', (e) => {
      expectTypeOf(e.operation).toEqualTypeOf<SwitchOperation>();
      expectTypeOf(e.dryRun).toBeBoolean();
      expectTypeOf(e.acceptedBy).toEqualTypeOf<string[]>();
    });
    trap.on('confirmed', (e) => {
      expectTypeOf(e.txId).toEqualTypeOf<string | undefined>();
      expectTypeOf(e.byPeer).toBeBoolean();
    });
    trap.on('failed', (e) => {
      expectTypeOf(e.error).toEqualTypeOf<WitnessTrapError>();
    });
    trap.on('notify-failed', (e) => {
      expectTypeOf(e.kind).toEqualTypeOf<NotificationKind>();
    });
    trap.on('error', (e) => {
      expectTypeOf(e.during).toBeString();
      expectTypeOf(e.error.code).toBeString();
    });
    trap.on('stopped', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<'confirmed' | 'requested' | 'failed' | 'exhausted' | 'error'>();
    });
  });

  it('rejects unknown events and wrong payload shapes', () => {
    // @ts-expect-error: no such event
    trap.on('exploded', () => undefined);
    // @ts-expect-error: `missed` carries an aslot number, not a string
    trap.on('missed', (e: { aslot: string }) => e);
  });
});

describe('FailoverTrap methods', () => {
  it('returns typed outcomes and snapshots', () => {
    expectTypeOf(trap.arm()).resolves.toEqualTypeOf<TrapEvents['armed']>();
    expectTypeOf(trap.run()).resolves.toEqualTypeOf<TrapOutcome>();
    expectTypeOf(trap.switchNow()).resolves.toEqualTypeOf<SwitchOutcome>();
    expectTypeOf(trap.status()).toEqualTypeOf<TrapStatus>();
    expectTypeOf<TrapOutcome['status']>().toEqualTypeOf<'confirmed' | 'dry-run' | 'stopped' | 'exhausted'>();
  });

  it('narrows a switch outcome by its status', () => {
    const outcome = {} as SwitchOutcome;
    if (outcome.status === 'confirmed') expectTypeOf(outcome.blockNum).toBeNumber();
    if (outcome.status === 'dry-run') expectTypeOf(outcome.txId).toBeString();
  });
});

describe('the public entry point', () => {
  it('exports the type of the signer option', () => {
    expectTypeOf<FailoverTrapOptions['signer']>().toEqualTypeOf<SignerWithActiveKey>();
  });
});

describe('FailoverTrap control events', () => {
  it('types the pause and command payloads', () => {
    trap.on('paused', (e) => {
      expectTypeOf(e).toEqualTypeOf<{ at: number; by: string }>();
    });
    trap.on('resumed', (e) => {
      expectTypeOf(e).toEqualTypeOf<{ at: number; by: string }>();
    });
    trap.on('command-refused', (e) => {
      expectTypeOf(e.by).toBeString();
      expectTypeOf(e.message).toBeString();
    });
    expectTypeOf(trap.status().paused).toEqualTypeOf<{ at: number; by: string } | undefined>();
  });
});
