import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateError } from '../errors.js';
import type { StateStore } from '../types.js';
import { parseTrapState } from './parse-state.js';

/** Error codes where waiting (for space, for a lock) may let the same write succeed. */
const RETRYABLE_CODES = new Set(['ENOSPC', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EDQUOT']);

/**
 * A {@link StateStore} in one JSON file, written atomically: a temp file in the same directory (mode 0600),
 * fsync, rename over the old file, fsync of the directory. A crash at any point leaves either the old file or the
 * new one, never a part of either; a temp file left by a crash is ignored. A file that cannot be read as a state is
 * `STATE_CORRUPT`, never silently replaced by a fresh state.
 *
 * @throws StateError `STATE_CORRUPT` (load), `STATE_READ_FAILED` (load), `STATE_WRITE_FAILED` (save).
 * @example
 * ```ts
 * const state = fileStateStore('/var/lib/witness-trap/alice.json');
 * ```
 */
export function fileStateStore(path: string): StateStore {
  // Saves run one after another so that a slow older save cannot rename over a newer one.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw new StateError('STATE_READ_FAILED', `cannot read the state file ${path}: ${errorCode(error)}`, {
          cause: error,
          details: { path, errno: errorCode(error) },
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new StateError('STATE_CORRUPT', `the state in ${path} is corrupt: not JSON`, {
          cause: error,
          details: { path, field: 'JSON syntax' },
        });
      }
      return parseTrapState(parsed, path);
    },
    save(state) {
      const write = queue.then(() => writeAtomically(path, `${JSON.stringify(state, null, 2)}\n`));
      queue = write.catch(() => undefined);
      return write;
    },
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let step = 'create a temp file';
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      step = 'write';
      await file.writeFile(text, 'utf8');
      step = 'fsync';
      await file.sync();
    } finally {
      await file.close();
    }
    step = 'rename';
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw writeError(path, step, error);
  }
  try {
    // Without this the rename itself may not survive a power cut.
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch (error) {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR): the rename is done, so only a real I/O error counts.
    if (errorCode(error) === 'EIO') throw writeError(path, 'fsync the directory', error);
  }
}

function writeError(path: string, step: string, error: unknown): StateError {
  const code = errorCode(error);
  return new StateError('STATE_WRITE_FAILED', `cannot write the state file ${path} (${step}: ${code})`, {
    cause: error,
    isRetryable: RETRYABLE_CODES.has(code),
    details: { path, step, errno: code },
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
