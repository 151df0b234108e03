/** The one place where errors become exit codes. */

/** Exit codes of every command (scripts and systemd units rely on them). */
export const ExitCode = {
  /** Fired and the switch confirmed on chain (or a peer had already switched); clean daemon stop; command done. */
  ok: 0,
  /** Runtime failure (e.g. the switch was not confirmed). */
  failure: 1,
  /** Usage or configuration error: nothing was broadcast. */
  usage: 2,
  /**
   * The kill switch fired: every key failed and the null key is on chain, the witness is disabled. Nothing is left
   * to guard until a person re-enables it (`witness-trap enable`): a service manager must not restart on it.
   */
  disabled: 3,
} as const;

/**
 * 2 for configuration errors (core's `ConfigError`, the CLI's `UsageError`: anything with `kind: 'config'`), 1 for
 * everything else. Checked by shape so that this module never imports core.
 */
export function exitCodeFor(error: unknown): number {
  return isConfigError(error) ? ExitCode.usage : ExitCode.failure;
}

/** Whether `error` is a configuration error (nothing was broadcast). */
export function isConfigError(error: unknown): error is Error & { code?: string; problems?: string[] } {
  return error instanceof Error && (error as { kind?: unknown }).kind === 'config';
}

/** The lines to show for an error: every problem of a config error, else its message (and code). */
export function errorLines(error: unknown): string[] {
  if (isConfigError(error)) {
    return Array.isArray(error.problems) && error.problems.length > 0 ? error.problems : [error.message];
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return [typeof code === 'string' ? `${error.message} (${code})` : error.message];
  }
  return [String(error)];
}
