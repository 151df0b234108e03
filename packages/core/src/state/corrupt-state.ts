import { ConfigError, type WitnessTrapError } from '../errors.js';

/**
 * The refusal to arm over a saved state that does not parse (`STATE_CORRUPT` from a `StateStore`'s `load`), or
 * that exists but may not be read (`STATE_READ_FAILED`, `EACCES`/`EPERM`; see {@link refusesToArm}): a
 * config error, `CONFIG_STATE_CORRUPT` (the CLI exits 2), that names the file, says it was left as it is, and how to
 * move it aside. The trap throws it from `arm()` and never writes over such a file; `witness-trap check` reports the
 * same words.
 */
export function corruptStateRefusal(error: WitnessTrapError): ConfigError {
  const where = error.details.path ?? error.details.source;
  const file = typeof where === 'string' && where !== '' ? where : undefined;
  const field = error.details.field;
  const errno = error.details.errno;
  const why = typeof field === 'string' ? `bad ${field}` : typeof errno === 'string' ? errno : error.message;
  const cannot = error.code === 'STATE_READ_FAILED' ? 'cannot be read' : 'does not parse as a witness-trap state';
  const name = file === undefined ? 'the saved state' : `the state file ${file}`;
  const aside =
    file === undefined ? 'move the saved state aside' : `read it, move it aside (mv '${file}' '${file}.corrupt')`;
  const message =
    `${name} ${cannot} (${why}); it was left exactly as it is and the trap did not ` +
    `arm. It may hold a switch in flight and the failed-key list: ${aside}, then run again (the trap reconciles ` +
    'with the chain on start).';
  return new ConfigError('CONFIG_STATE_CORRUPT', message, {
    cause: error,
    details: file === undefined ? {} : { path: file },
  });
}

/** Read errors that mean the file is there but this process may not read it: a save would replace it unread. */
const EXISTS_UNREADABLE = new Set(['EACCES', 'EPERM']);

/**
 * Whether a failed `StateStore.load()` must stop the trap from arming: the saved state does not parse, or the file
 * exists but may not be read. In both cases a save would replace a state nobody has read. A store that cannot be
 * read because it is not there to read (a missing directory, say) is not one: the trap starts fresh and reports it.
 */
export function refusesToArm(error: WitnessTrapError): boolean {
  return (
    error.code === 'STATE_CORRUPT' ||
    (error.code === 'STATE_READ_FAILED' && EXISTS_UNREADABLE.has(String(error.details.errno)))
  );
}
