import { systemClock } from '../clock.js';
import { toWitnessTrapError, type WitnessTrapError } from '../errors.js';
import type { TrapEvents } from '../events.js';
import { memoryStateStore } from '../state/memory-state-store.js';
import { isNullSigningKey, isValidPublicKey } from '../tx/public-key.js';
import { type ChainClient, type Clock, NULL_SIGNING_KEY, type PublicKeyString, type StateStore } from '../types.js';
import { refusal, resolveActiveKey, type SignerWithActiveKey } from './arming.js';
import { readUntilTrusted } from './decisive-read.js';
import { type SigningPlan, signingPlan } from './key-plan.js';
import { StateKeeper } from './state-keeper.js';
import { runSwitch, type SwitchOutcome } from './switch.js';

/** Options shared by {@link disableWitness} and {@link enableWitness}. */
export interface WitnessAdminOptions {
  chain: ChainClient;
  signer: SignerWithActiveKey;
  witness: string;
  /** @default systemClock */
  clock?: Clock;
  /** @default chain.getBlockInterval() */
  blockIntervalMs?: number;
  /** Sign and report, never broadcast. @default false */
  dryRun?: boolean;
  /** Where the switch in flight is saved (so a crash mid-way can be reconciled). @default memoryStateStore() */
  state?: StateStore;
  /** @default 3 */
  maxAttempts?: number;
  /** The longest wait for the signer, real time; an attempt it does not answer is spent. @default 2 intervals, >= 2000 */
  signTimeoutMs?: number;
  /** Sees every event of the switch (`triggered`, `broadcast`, `confirmed`, `failed`, `error`). */
  onEvent?: <K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]) => void;
}

/**
 * Disables the witness: sets the null signing key, so that it leaves the schedule. Signed with
 * `witness_set_properties` by the current signing key where it is held, else `witness_update` by the active key;
 * confirmed on chain like any switch.
 *
 * @throws ConfigError (nothing broadcast) when the witness is unknown, already disabled, or no key can sign.
 * @example
 * ```ts
 * await disableWitness({ chain, signer, witness: 'alice' });
 * ```
 */
export async function disableWitness(options: WitnessAdminOptions): Promise<SwitchOutcome> {
  const { current, heldKeys, activeKey } = await readCurrent(options);
  if (isNullSigningKey(current)) {
    throw refusal([{ code: 'CONFIG_WITNESS_DISABLED', message: `${options.witness} is already disabled` }]);
  }
  return switchTo(options, current, NULL_SIGNING_KEY, signingPlan(current, heldKeys, activeKey));
}

/**
 * Enables (or re-keys) the witness with `witness_update` signed by the owner's ACTIVE key, url and props copied
 * from the chain; the only way back from the null key, which nothing can sign for. Confirmed on chain.
 *
 * @throws ConfigError (nothing broadcast) when `to` is not a valid key, the witness is unknown, or no active key
 * is held.
 * @example
 * ```ts
 * await enableWitness({ chain, signer: wifKeyRing({ activeKey }), witness: 'alice', to: 'STM...' });
 * ```
 */
export async function enableWitness(options: WitnessAdminOptions & { to: PublicKeyString }): Promise<SwitchOutcome> {
  const to = options.to;
  if (typeof to !== 'string' || !isValidPublicKey(to, to.slice(0, 3)) || isNullSigningKey(to)) {
    throw refusal([{ code: 'CONFIG_INVALID_KEY', message: `${String(to)} is not a valid signing key` }]);
  }
  const { current, activeKey } = await readCurrent(options, true);
  if (activeKey === undefined) {
    throw refusal([
      { code: 'CONFIG_NO_ACTIVE_KEY', message: `enabling ${options.witness} needs its active key, and none is held` },
    ]);
  }
  if (current === to) throw refusal([{ code: 'CONFIG_INVALID_KEY', message: `${to} is already the signing key` }]);
  return switchTo(options, current, to, { operation: 'witness_update', signWith: activeKey });
}

async function readCurrent(options: WitnessAdminOptions, needActive = false) {
  const clock = options.clock ?? systemClock;
  const loop = {
    clock,
    retryMs: 500,
    deadline: clock.now() + 30_000,
    report: (error: WitnessTrapError, during: string) => options.onEvent?.('error', { error, during }),
    during: 'arm',
  };
  const { value: witness } = await readUntilTrusted(
    () => options.chain.getWitness(options.witness, { decisive: true }),
    loop,
  );
  if (witness === null) {
    throw refusal([{ code: 'CONFIG_UNKNOWN_WITNESS', message: `${options.witness} is not a witness on this chain` }]);
  }
  const heldKeys = new Set(await options.signer.publicKeys());
  const account =
    needActive || !heldKeys.has(witness.signingKey)
      ? (await readUntilTrusted(() => options.chain.getAccount(options.witness), loop)).value
      : null;
  const activeKey = account === null ? options.signer.activeKey : resolveActiveKey(options.signer, heldKeys, account);
  return { current: witness.signingKey, heldKeys, activeKey };
}

async function switchTo(
  options: WitnessAdminOptions,
  fromKey: PublicKeyString,
  toKey: PublicKeyString,
  plan: SigningPlan | undefined,
): Promise<SwitchOutcome> {
  if (plan === undefined) {
    throw refusal([
      {
        code: 'CONFIG_NO_SIGNING_KEY',
        message: `no private key held for the current signing key ${fromKey}, and no active key of ${options.witness}`,
      },
    ]);
  }
  const clock = options.clock ?? systemClock;
  const interval = options.blockIntervalMs ?? (await options.chain.getBlockInterval());
  const emit = <K extends keyof TrapEvents>(name: K, payload: TrapEvents[K]) => options.onEvent?.(name, payload);
  const state = new StateKeeper(options.state ?? memoryStateStore(), options.witness, (error) =>
    emit('error', { error: toWitnessTrapError(error), during: 'state' }),
  );
  await state.load();
  return runSwitch(
    {
      chain: options.chain,
      signer: options.signer,
      witness: options.witness,
      clock,
      blockIntervalMs: interval,
      pollIntervalMs: Math.max(20, Math.round(interval / 10)),
      expiresInMs: Math.max(3000, 10 * interval),
      broadcastTimeoutMs: Math.max(1000, 2 * interval),
      signTimeoutMs: options.signTimeoutMs ?? Math.max(2000, 2 * interval),
      ioTimeoutMs: Math.max(10_000, 5 * interval),
      maxAttempts: options.maxAttempts ?? 3,
      dryRun: options.dryRun ?? false,
      emit,
      notify: () => undefined,
      persist: state,
    },
    { fromKey, toKey, reason: 'manual', plan },
  );
}
