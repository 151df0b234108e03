/** A simulated chain and an operator's files for the CLI's end-to-end tests. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Simnet,
  type SimnetOptions,
  type SimnetWitness,
  type SimnetWitnessSeed,
  startSimnet,
} from '@witness-trap/simnet';
import { afterEach, beforeAll } from 'vitest';
import { buildCli } from './harness.js';

/** Fast enough for a test, slow enough for 2 busy cores. */
export const TEST_BLOCK_INTERVAL_MS = 200;

/** A running simnet, the demo witness, an operator folder with a key file, and the flags that point at all of it. */
export interface Operator {
  sim: Simnet;
  me: SimnetWitness;
  backupKey: string;
  dir: string;
  keyFile: string;
  /** --witness, --node, --chain-id, --block-interval. */
  chainFlags: string[];
  /** chainFlags + --backup-key + --signing-keys-file. */
  runFlags: string[];
}

/** What the operator's witness starts with on the "real" chain, beside its name (e.g. url, props, missed count). */
export type OperatorWitnessState = Omit<SimnetWitnessSeed, 'name'>;

/**
 * Starts a simnet and writes the operator's key file (mode 600) holding the primary's signing key.
 * @param blockIntervalMs - the chain's block interval (and `--block-interval`) @default TEST_BLOCK_INTERVAL_MS
 * @param realism - realism options that differ from the hostile default (the caller says why in a comment), and
 *   the shape of the chain: `endpoints` (each one a `--node`, in order; default 1), `witnesses` (default 5, the
 *   operator's witness first), `seed`
 */
export async function operator(
  state?: OperatorWitnessState,
  blockIntervalMs = TEST_BLOCK_INTERVAL_MS,
  realism: OperatorChain = {},
): Promise<Operator> {
  const { witnesses = 5, ...options } = realism;
  // Few witnesses: the operator's slot comes round every few blocks, so tests wait less for it.
  const names = Array.from({ length: witnesses }, (_, i) => ['alice', 'bob', 'carol', 'dave', 'erin'][i] ?? `w${i}`);
  const sim = await startSimnet({
    ...options,
    blockIntervalMs,
    backupKeys: 1,
    witnesses: state ? names.map((name, i) => (i === 0 ? { name, ...state } : { name })) : witnesses,
  });
  const me = sim.witnesses[0];
  const backupKey = me?.backupKeys[0]?.publicKey;
  if (!me || !backupKey) throw new Error('simnet without a demo witness');
  const dir = mkdtempSync(join(tmpdir(), 'wt-operator-'));
  const keyFile = join(dir, 'signing.keys');
  writeFileSync(keyFile, `# primary\n${me.privateKey}\n`);
  chmodSync(keyFile, 0o600);
  const chainFlags = [
    '--witness',
    me.name,
    ...sim.urls.flatMap((url) => ['--node', url]),
    '--chain-id',
    sim.chainId,
    '--block-interval',
    String(blockIntervalMs),
  ];
  return {
    sim,
    me,
    backupKey,
    dir,
    keyFile,
    chainFlags,
    runFlags: [...chainFlags, '--backup-key', backupKey, '--signing-keys-file', keyFile],
  };
}

/** Simnet options a test may set beside the hostile defaults: see {@link operator}. */
export type OperatorChain = Pick<SimnetOptions, 'microForkRate' | 'endpoints' | 'seed'> & { witnesses?: number };

/** The JSON lines of a CLI stream. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * For a test file: builds the CLI once, and gives each test a fresh operator (its own simnet), stopped after it.
 * @returns the function a test calls to get its operator
 */
export function operatorPerTest(): (
  state?: OperatorWitnessState,
  blockIntervalMs?: number,
  realism?: OperatorChain,
) => Promise<Operator> {
  let current: Operator | undefined;
  beforeAll(async () => {
    await buildCli();
  }, 60_000);
  afterEach(async () => {
    await current?.sim.stop();
    current = undefined;
  });
  return async (state, blockIntervalMs, realism) => {
    current = await operator(state, blockIntervalMs, realism);
    return current;
  };
}
