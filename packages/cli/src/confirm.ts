/**
 * A key change made by hand is confirmed by the person who asked for it: `switch`, `disable` and `enable` show what
 * will be signed (witness, operation, from key, to key, which key signs) and sign only once the witness's name has
 * been typed back. `--yes` confirms in advance (scripts); off a terminal without it they refuse, so a script that
 * forgot `--yes` stops at once instead of waiting for an answer nobody will type. `--dry-run` signs and never
 * broadcasts: it needs no confirmation.
 */
import { createInterface } from 'node:readline';
import type { SwitchOutcome } from '@witness-trap/core';
import type { Settings } from './config.js';
import type { InputStream } from './main.js';
import type { Output } from './output.js';
import { UsageError } from './usage-error.js';

const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';

/** How long the prompt waits for an answer: past it, nothing is signed (the plan shown would be stale anyway). */
export const CONFIRM_TIMEOUT_MS = 5 * 60_000;

/** Whether this run must ask before signing: not with `--yes` or `--dry-run`. Refuses (exit 2) off a terminal. */
export function mustAsk(settings: Settings, stdin: InputStream | undefined): boolean {
  if (settings.yes || settings.dryRun) return false;
  if (stdin?.isTTY === true) return true;
  throw new UsageError('CONFIRM_NEEDS_TERMINAL', [
    `${settings.command} changes ${settings.witness ?? 'the witness'}'s signing key on chain and asks at a terminal ` +
      'first; there is none here: pass --yes to confirm in advance (scripts), or --dry-run to see what would be signed',
  ]);
}

/** The keys that may sign, by what they are, to say which one signs the plan. */
export interface SignerKeys {
  activePublicKey?: string;
}

/**
 * Shows the plan (a dry run of the very change: core's choice of operation and keys) and reads the witness's name
 * back. Resolves when it was typed; throws `UsageError` (exit 2, nothing signed) on any other answer, no answer within
 * {@link CONFIRM_TIMEOUT_MS}, or SIGINT.
 */
export async function confirmPlan(
  plan: SwitchOutcome,
  context: { settings: Settings; output: Output; stdin: InputStream; signal: AbortSignal; keys: SignerKeys },
): Promise<void> {
  const { settings, output, stdin, signal, keys } = context;
  const witness = settings.witness ?? '';
  // Nothing would be signed (the chain already shows the key asked for): nothing to confirm.
  if (plan.status !== 'dry-run') return;
  const signer =
    plan.operation === 'witness_set_properties'
      ? `${plan.fromKey} (the signing key on chain now; witness_set_properties is signed by it)`
      : `${keys.activePublicKey ?? '(no active key held)'} (${witness}'s active key; witness_update needs it)`;
  const toText =
    plan.toKey === NULL_KEY
      ? `${plan.toKey} (the null key: ${witness} stops producing blocks until someone runs witness-trap enable with the active key)`
      : plan.toKey;
  output.prompt(
    [
      `${settings.command}: this will be signed and broadcast to the chain`,
      `  witness:    ${witness}`,
      `  operation:  ${plan.operation}`,
      `  from key:   ${plan.fromKey} (on chain now)`,
      `  to key:     ${toText}`,
      `  signed by:  ${signer}`,
      `Type the witness's name (${witness}) to sign and broadcast it; anything else cancels: `,
    ].join('\n'),
  );
  const answer = await readLine(stdin, signal, CONFIRM_TIMEOUT_MS);
  if (answer?.trim() === witness) return;
  const why =
    answer !== undefined
      ? `${JSON.stringify(answer.trim())} is not ${JSON.stringify(witness)}`
      : signal.aborted
        ? 'interrupted'
        : `no answer (end of input, or none within ${CONFIRM_TIMEOUT_MS / 60_000} minutes)`;
  throw new UsageError('CONFIRM_DECLINED', [`${settings.command} not confirmed (${why}): nothing was signed`]);
}

/** One line from `stdin`, or undefined on end of input, timeout or abort. */
async function readLine(stdin: InputStream, signal: AbortSignal, timeoutMs: number): Promise<string | undefined> {
  const lines = createInterface({ input: stdin, terminal: false });
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      const done = (line: string | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', cancel);
        resolve(line);
      };
      const cancel = () => done(undefined);
      signal.addEventListener('abort', cancel, { once: true });
      lines.once('line', (line) => done(line));
      lines.once('close', () => done(undefined));
    });
  } finally {
    lines.close();
    (stdin as { pause?: () => void }).pause?.();
  }
}
