/** `witness-trap simnet`: the simulated chain standalone, mounted from `@witness-trap/simnet` (its flags are its own). */

/** Runs the simnet's own CLI with the raw arguments; our bin turns SIGINT/SIGTERM into `signal`. */
export async function runSimnetCommand(args: readonly string[], signal?: AbortSignal): Promise<number> {
  const { runSimnetCli } = await import('@witness-trap/simnet');
  return runSimnetCli(args, { handleSignals: false, ...(signal ? { signal } : {}) });
}
