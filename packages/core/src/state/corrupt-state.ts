import { ConfigError, type WitnessTrapError } from '../errors.js';

/**
 * The refusal to arm over a saved state that does not parse (`STATE_CORRUPT` from a `StateStore`'s `load`): a
 * config error, `CONFIG_STATE_CORRUPT` (the CLI exits 2), that names the file, says it was left as it is, and how to
 * move it aside. The trap throws it from `arm()` and never writes over such a file; `witness-trap check` reports the
 * same words.
 */
export function corruptStateRefusal(error: WitnessTrapError): ConfigError {
  const where = error.details.path ?? error.details.source;
  const file = typeof where === 'string' && where !== '' ? where : undefined;
  const field = error.details.field;
  const why = typeof field === 'string' ? `bad ${field}` : error.message;
  const name = file === undefined ? 'the saved state' : `the state file ${file}`;
  const aside =
    file === undefined ? 'move the saved state aside' : `read it, move it aside (mv '${file}' '${file}.corrupt')`;
  const message =
    `${name} does not parse as a witness-trap state (${why}); it was left exactly as it is and the trap did not ` +
    `arm. It may hold a switch in flight and the failed-key list: ${aside}, then run again (the trap reconciles ` +
    'with the chain on start).';
  return new ConfigError('CONFIG_STATE_CORRUPT', message, {
    cause: error,
    details: file === undefined ? {} : { path: file },
  });
}
