/**
 * witness-trap's CLI as a library: the entry point, the option table (the single source of flags, environment
 * variables, help and the configuration reference), configuration layering and key-file checks.
 *
 * @packageDocumentation
 */
export { type HostPort, resolveSettings, type Settings, type SettingsInput, type SettingsResult } from './config.js';
export { ExitCode, exitCodeFor, isConfigError } from './exit-codes.js';
export { generateKeyPair, isPublicKey, isWif, type KeyPair, wifToPublicKey } from './hive-keys.js';
export { type KeyLoad, type LoadedKeys, loadKeys } from './key-files.js';
export { type CliIo, type Command, type CommandContext, cliVersion, main } from './main.js';
export {
  type MetricsServer,
  serveMetrics,
  type TrapEventSource,
  TrapMetrics,
  type TrapMetricsOptions,
} from './metrics.js';
export {
  appliesTo,
  COMMAND_NAMES,
  COMMAND_SUMMARIES,
  type CommandName,
  commandsOf,
  DEFAULT_NODES,
  envNameOf,
  OPTIONS,
  type OptionSpec,
  type OptionType,
  optionsFor,
  RUN_LINE_COMMANDS,
} from './options.js';
export { type LogLevel, Output, type OutputOptions, type OutputStream } from './output.js';
export { renderConfigurationReference } from './reference.js';
export { UsageError } from './usage-error.js';
