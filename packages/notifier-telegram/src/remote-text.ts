import { type ControlResult, shortKey, type TrapStatus } from '@witness-trap/core';

/** What `/help` answers. */
export const REMOTE_HELP = [
  'witness-trap commands:',
  '/status - the witness, its key, armed or paused, last miss, nodes',
  '/pause - keep watching, stop automatic switching',
  '/resume - switch automatically again',
  '/switch - switch to the next backup key (asks for a code)',
  '/switch PUB - switch to that configured backup key (asks for a code)',
  '/disable - set the null key: the witness stops producing (asks for a code)',
  '/confirm CODE - carry out the /switch or /disable just asked, within 60 s',
].join('\n');

/**
 * A command in a message: `/switch@MyBot STM...` gives `{ name: 'switch', args: ['STM...'] }`. `undefined` for text
 * that is not a command.
 */
export function parseCommand(text: string): { name: string; args: string[]; bot?: string } | undefined {
  const match = /^\/([a-z_]+)(?:@(\w+))?(?:\s+(.*))?$/is.exec(text.trim());
  if (match === null) return undefined;
  const args = (match[3] ?? '').split(/\s+/).filter((arg) => arg !== '');
  const name = (match[1] ?? '').toLowerCase();
  return match[2] === undefined ? { name, args } : { name, args, bot: match[2] };
}

/** A key with the name the configuration gives it: `STM8GC13...53XTX (backup #1)`. */
export function shortKeyName(key: string, status: Pick<TrapStatus, 'backupKeys'>): string {
  const index = status.backupKeys.indexOf(key);
  return index >= 0 ? `${shortKey(key)} (backup #${index + 1})` : shortKey(key);
}

/** The `/status` answer: plain text, a few lines. */
export function renderStatus(status: TrapStatus): string {
  const utc = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;
  const role =
    status.keyRole === 'backup'
      ? `backup #${status.backupIndex}`
      : status.keyRole === 'held'
        ? 'primary'
        : status.keyRole === 'null'
          ? 'NULL: witness disabled'
          : 'not in the configuration';
  const state = status.paused
    ? `PAUSED by ${status.paused.by} at ${utc(status.paused.at)} (watching, not switching)`
    : status.armed
      ? 'armed'
      : 'not armed';
  const last = status.lastSwitch;
  const lines = [
    `${status.witness}: ${state}, ${status.mode}${status.dryRun ? ', DRY RUN' : ''}`,
    status.currentKey === undefined ? 'signing key: not read yet' : `signing key (${role}):\n${status.currentKey}`,
    status.nextKey === undefined ? 'next backup: none' : `next backup: ${shortKeyName(status.nextKey, status)}`,
    status.lastMiss === undefined
      ? 'last miss: none seen'
      : `last miss: slot ${status.lastMiss.aslot} at ${utc(status.lastMiss.slotTime)}`,
    `misses in window: ${status.missesInWindow}/${status.threshold}`,
    `RPC nodes: ${status.availableNodes} of ${status.configuredNodes} available${
      status.degraded
        ? ` — DEGRADED: ${status.nodes
            .filter((node) => !node.available)
            .map(
              (node) =>
                `${node.url} unavailable${node.unavailableSince === undefined ? '' : ` since ${utc(node.unavailableSince)}`} (${node.unavailableReason ?? 'no answer'})`,
            )
            .join('; ')}`
        : ''
    }`,
    status.headBlockNumber === undefined ? '' : `head block: ${status.headBlockNumber}`,
    last === undefined
      ? 'last switch: none'
      : `last switch: ${shortKey(last.fromKey)} -> ${shortKey(last.toKey)} at ${utc(last.at)}${last.byPeer ? ' (by a peer)' : ''}`,
    status.pending === undefined ? '' : `switch in flight: tx ${status.pending.txId}`,
  ];
  return lines.filter((line) => line !== '').join('\n');
}

/** The answer to a refused command. */
export function renderRefusal(result: Extract<ControlResult, { ok: false }> | ControlResult): string {
  if (result.ok) return `/${result.command}: nothing to do.`;
  return `Not done (${result.code}): ${result.message}`;
}

/** The answer to a confirmed switch: the block it landed in, or what a dry run signed. */
export function renderSwitchDone(result: Extract<ControlResult, { ok: true }>): string {
  const made = result.switch;
  if (made === undefined) return 'Done.';
  if (made.status === 'dry-run') return `Dry run: tx ${made.txId} signed, not broadcast.`;
  if (made.status === 'abandoned') return 'The switch was abandoned.';
  const tx = made.txId === undefined ? '' : ` (tx ${made.txId})`;
  return `Confirmed in block ${made.blockNum}${tx}: the signing key is now\n${made.toKey}`;
}
