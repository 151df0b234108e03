import { ConfigError } from '../errors.js';
import { isNullSigningKey, isValidPublicKey } from '../tx/public-key.js';
import type { AccountAuthorities, PublicKeyString, Signer, WitnessState } from '../types.js';
import { backupOrder, type SigningPlan, signingPlan } from './key-plan.js';

/** One reason the trap refuses to arm, with a stable code. */
export interface ArmingProblem {
  code: string;
  message: string;
}

/** A {@link Signer} that may say which of its keys is the owner's active key (as `wifKeyRing` does). */
export type SignerWithActiveKey = Signer & { readonly activeKey?: PublicKeyString | undefined };

/** Problems with the options alone, before anything is read from the chain. */
export function optionProblems(options: {
  backupKeys: readonly unknown[];
  misses: number;
  windowMs: number;
}): ArmingProblem[] {
  const problems: ArmingProblem[] = [];
  if (!Array.isArray(options.backupKeys) || options.backupKeys.length === 0) {
    problems.push({ code: 'CONFIG_NO_BACKUP_KEY', message: 'no backup key is configured' });
  }
  for (const key of options.backupKeys ?? []) {
    const text = String(key);
    if (typeof key !== 'string' || !isValidPublicKey(key, key.slice(0, 3))) {
      problems.push({ code: 'CONFIG_INVALID_KEY', message: `backup key ${text} is not a valid public key` });
    } else if (isNullSigningKey(key)) {
      problems.push({
        code: 'CONFIG_INVALID_KEY',
        message: 'the null key cannot be a backup key (it disables the witness)',
      });
    }
  }
  if (!Number.isInteger(options.misses) || options.misses < 1) {
    problems.push({
      code: 'CONFIG_INVALID_OPTION',
      message: `misses must be a whole number >= 1, not ${options.misses}`,
    });
  }
  if (!(options.windowMs > 0)) {
    problems.push({ code: 'CONFIG_INVALID_OPTION', message: `windowMs must be > 0, not ${options.windowMs}` });
  }
  return problems;
}

/**
 * The owner's active key among the signer's keys: the one the signer names (where it does and the chain's active
 * authority lists it), else any held key that alone meets the active authority's threshold.
 */
export function resolveActiveKey(
  signer: SignerWithActiveKey,
  heldKeys: ReadonlySet<PublicKeyString>,
  account: AccountAuthorities | null,
): PublicKeyString | undefined {
  const sufficient = new Set(
    (account?.active.keyAuths ?? [])
      .filter(([, weight]) => weight >= (account?.active.weightThreshold ?? Number.POSITIVE_INFINITY))
      .map(([key]) => key),
  );
  const named = signer.activeKey;
  if (typeof named === 'string') return account === null || sufficient.has(named) ? named : undefined;
  return [...heldKeys].find((key) => sufficient.has(key));
}

/** What arming worked out from the chain. */
export interface ArmingPlan {
  currentKey: PublicKeyString;
  nextKey: PublicKeyString | undefined;
  plan: SigningPlan | undefined;
}

/** The chain-side problems: unknown or disabled witness, no other backup key, nothing that can sign the switch. */
export function chainProblems(
  witness: string,
  state: WitnessState | null,
  backupKeys: readonly PublicKeyString[],
  heldKeys: ReadonlySet<PublicKeyString>,
  activeKey: PublicKeyString | undefined,
): { problems: ArmingProblem[]; plan?: ArmingPlan } {
  if (state === null) {
    return { problems: [{ code: 'CONFIG_UNKNOWN_WITNESS', message: `${witness} is not a witness on this chain` }] };
  }
  const problems: ArmingProblem[] = [];
  const currentKey = state.signingKey;
  if (isNullSigningKey(currentKey)) {
    problems.push({
      code: 'CONFIG_WITNESS_DISABLED',
      message: `${witness} is disabled (null signing key): it is not scheduled and cannot miss; enable it first`,
    });
  }
  const nextKey = backupOrder(currentKey, backupKeys)[0];
  if (nextKey === undefined && backupKeys.length > 0) {
    problems.push({
      code: 'CONFIG_NO_BACKUP_KEY',
      message: `no backup key other than the current signing key ${currentKey}`,
    });
  }
  const plan = signingPlan(currentKey, heldKeys, activeKey);
  if (plan === undefined && !isNullSigningKey(currentKey)) {
    problems.push({
      code: 'CONFIG_NO_SIGNING_KEY',
      message: `no private key held for the current signing key ${currentKey}, and no active key of ${witness}`,
    });
  }
  return { problems, plan: { currentKey, nextKey, plan } };
}

/** The refusal: one ConfigError listing every problem; its code is the first problem's. */
export function refusal(problems: readonly ArmingProblem[]): ConfigError {
  const first = problems[0] ?? { code: 'CONFIG_INVALID', message: 'the trap cannot arm' };
  const message =
    problems.length <= 1 ? first.message : `the trap cannot arm: ${problems.map((p) => p.message).join('; ')}`;
  return new ConfigError(first.code, message, {
    problems: problems.map((p) => p.message),
    details: { codes: problems.map((p) => p.code) },
  });
}
