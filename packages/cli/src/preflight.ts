/**
 * What `check` verifies about the options of `run` beyond their syntax: that each can do what it promises on this
 * host. It writes nothing, sends nothing and binds nothing that stays: the state file's folder is tested for
 * writing with `access`, webhooks get a TCP connect and no request, the metrics address is bound and let go.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { dirname } from 'node:path';
import type { Settings } from './config.js';
import { safeUrl } from './safe-url.js';

/** How long a webhook's host gets to accept a TCP connection. */
const CONNECT_TIMEOUT_MS = 5000;

/** Problems (exit 2) and notes (worth knowing) found by one preflight. */
export interface Preflight {
  problems: string[];
  notes: string[];
}

/** The state file can be written where `run` will write it: atomically, a temporary file beside it then a rename. */
export async function stateFileProblems(path: string): Promise<string[]> {
  const folder = dirname(path);
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) return [`--state ${path}: its folder ${folder} does not exist`];
  try {
    await access(folder, constants.W_OK);
  } catch {
    return [`--state ${path}: its folder ${folder} is not writable (the state is written atomically beside it)`];
  }
  const fileStat = await stat(path).catch(() => undefined);
  if (fileStat === undefined) return [];
  if (!fileStat.isFile()) return [`--state ${path}: not a regular file`];
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return [];
  } catch {
    return [`--state ${path}: not readable and writable by this user`];
  }
}

/**
 * The timing options against the chain's block interval: a head polled no more often than blocks come sees a miss
 * late, a window shorter than the rounds its misses need can never fire, an RPC timeout past a block interval lets a
 * hung node hold the trap for a whole slot.
 */
export function intervalProblems(settings: Settings, blockIntervalMs: number, roundLength: number): Preflight {
  const problems: string[] = [];
  const notes: string[] = [];
  if (settings.pollIntervalMs !== undefined && settings.pollIntervalMs >= blockIntervalMs) {
    problems.push(
      `--poll-interval ${settings.pollIntervalMs} ms is not shorter than the block interval (${blockIntervalMs} ms): ` +
        'a miss would be seen a block late or later (leave it unset: a tenth of the block interval)',
    );
  }
  // A witness has one slot a round: N misses need N rounds, less one (the first and last slots bound the window).
  const roundMs = roundLength * blockIntervalMs;
  const needed = (settings.misses - 1) * roundMs;
  if (settings.windowMs < needed || settings.windowMs < blockIntervalMs) {
    problems.push(
      `--window ${settings.windowMs / 1000} s cannot hold --misses ${settings.misses}: the witness has one slot a ` +
        `round (${roundLength} blocks, ${roundMs / 1000} s), so the trap could never fire (make it at least ` +
        `${Math.max(needed, blockIntervalMs) / 1000} s)`,
    );
  }
  if (settings.rpcTimeoutMs !== undefined && settings.rpcTimeoutMs > blockIntervalMs) {
    notes.push(
      `--rpc-timeout ${settings.rpcTimeoutMs} ms is longer than a block interval (${blockIntervalMs} ms): a node that ` +
        'hangs holds each read that long',
    );
  }
  return { problems, notes };
}

/** Whether something accepts a TCP connection at the URL's host and port (nothing is sent). */
export async function tcpReachable(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<string | undefined> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (error?: string) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done());
    socket.once('error', (error) => done((error as NodeJS.ErrnoException).code ?? error.message));
  });
}

/** Every `--webhook` URL's host accepts a connection (no notification is sent). */
export async function webhookProblems(urls: readonly string[]): Promise<string[]> {
  const results = await Promise.all(urls.map(async (url) => ({ url, error: await tcpReachable(url) })));
  return results
    .filter((result) => result.error !== undefined)
    .map(
      (result) => `--webhook ${safeUrl(result.url)} is not reachable (${result.error}): notifications would be lost`,
    );
}

/** The `--metrics` address can be listened on now (bound and released at once). A busy port is a note: it may be
 * the running trap's own. */
export async function metricsNotes(settings: Settings): Promise<string[]> {
  if (!settings.metrics) return [];
  const { host, port } = settings.metrics;
  const server = createServer();
  const error = await new Promise<string | undefined>((resolve) => {
    server.once('error', (failure: NodeJS.ErrnoException) => resolve(failure.code ?? failure.message));
    server.listen(port, host, () => resolve(undefined));
  });
  await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  return error === undefined
    ? []
    : [`--metrics ${host}:${port} cannot be listened on now (${error}): fine if that is the running trap's`];
}
