/**
 * A usage or configuration mistake found by the CLI itself, before anything talks to the chain. It has the shape of
 * core's `ConfigError` (`kind: 'config'`, `code`, `problems`) without importing core, so that `--help`, bad flags
 * and key-file refusals never load dhive.
 */
export class UsageError extends Error {
  /** Always `config`: the CLI exits 2 and nothing was broadcast. */
  readonly kind = 'config' as const;
  /** Stable, machine-readable: `USAGE` for the command line, `CONFIG_INVALID` for values, `KEY_FILE_*` for keys. */
  readonly code: string;
  /** Every problem found, each one line naming the option and the fix. */
  readonly problems: string[];

  constructor(code: string, problems: string[]) {
    super(problems.join('; '));
    this.name = 'UsageError';
    this.code = code;
    this.problems = problems;
  }
}
