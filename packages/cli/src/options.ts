/**
 * The option table: every option witness-trap takes, written once, as data. Argument parsing, environment and
 * config-file layering, `--help` and the configuration reference (docs/configuration.md) are all derived from it.
 */

/** The commands of the CLI, as typed on the command line. */
export const COMMAND_NAMES = [
  'run',
  'status',
  'check',
  'switch',
  'disable',
  'enable',
  'keygen',
  'notify-test',
  'demo',
  'simnet',
  'drill',
] as const;

/** A command's name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** What a command does, in one line (shown in `--help` and the reference). */
export const COMMAND_SUMMARIES: Record<CommandName, string> = {
  run: 'arm the trap and watch the witness (one-shot by default)',
  status: "the witness's on-chain state and the trap's view of it",
  check: 'validate configuration and keys against the chain; broadcasts nothing',
  switch: 'manual failover to the next backup key (or --to KEY)',
  disable: 'set the null signing key (STM1111111111111111111111111111111114T1Anm)',
  enable: 'set a signing key on a disabled witness (needs the active key)',
  keygen: 'print a new signing key pair',
  'notify-test': 'send one test message through every configured notifier',
  demo: 'the whole story on the embedded simulated chain, offline',
  simnet: 'run the simulated Hive chain standalone',
  drill: 'rehearse this configuration against a simulated copy of its witness',
};

/**
 * How an option's text is read. Every kind has one parser (see `config.ts`), so one message shape per mistake.
 * - `string`, `path`: as given; `url`: http(s) URL; `public-key`: `STM...`; `hex64`: a 64-hex-digit chain id;
 * - `count`: a whole number >= 1; `ms`: a whole number of milliseconds > 0; `duration`: `90s`, `15m`, `1h`, `2d`
 *   or milliseconds; `host-port`: `HOST:PORT`; `key-url`: `STM...=http(s)://...`; `boolean`: a flag,
 *   `true/false/1/0/yes/no` in the environment.
 */
export type OptionType =
  | 'string'
  | 'path'
  | 'url'
  | 'public-key'
  | 'hex64'
  | 'count'
  | 'ms'
  | 'duration'
  | 'host-port'
  | 'key-url'
  | 'boolean';

/** One option: everything parsing, layering, help and the reference need to know about it. */
export interface OptionSpec {
  /** The long flag without dashes, e.g. `backup-key`. Also its key in a `--config` JSON file. */
  readonly name: string;
  readonly type: OptionType;
  /** The placeholder shown in help, e.g. `PUB`. Absent for booleans. */
  readonly valueName?: string;
  /** Its environment variable. Repeatable options take a comma-separated list there. */
  readonly env: string;
  /** The default, as the text an operator would type; absent when there is none. */
  readonly default?: string;
  /** How the default reads in help where it is not a literal (e.g. "built-in public Hive API nodes"). */
  readonly defaultText?: string;
  readonly description: string;
  /** May be given several times (`--node A --node B`); order is kept. */
  readonly repeatable?: boolean;
  /**
   * The commands that take it. Any other command refuses it as unknown. `check` and `drill` also take every option
   * of `run` without being listed here (see {@link RUN_LINE_COMMANDS}); ask {@link appliesTo}, not this list.
   */
  readonly commands: readonly CommandName[];
  /** The commands that cannot run without it. */
  readonly requiredBy?: readonly CommandName[];
  /**
   * A secret: accepted from the environment (or .env) only, never as a flag or in a config file, and never echoed.
   */
  readonly secret?: boolean;
  /** The value a bare flag stands for (`--metrics` alone); absent where the flag always needs one. */
  readonly bareValue?: string;
}

/** Where `--metrics` serves /metrics and /healthz when given without a value: the one address the docs use. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9477';

/** Built-in public Hive API nodes, used where no `--node` is given. Tests always pass `--node`. */
export const DEFAULT_NODES: readonly string[] = [
  'https://api.hive.blog',
  'https://api.openhive.network',
  'https://anyx.io',
  'https://api.deathwing.me',
];

const CHAIN: readonly CommandName[] = ['run', 'status', 'check', 'switch', 'disable', 'enable', 'drill'];
const CONFIGURED: readonly CommandName[] = [...CHAIN, 'notify-test'];
const KEYS: readonly CommandName[] = ['run', 'status', 'check', 'switch', 'disable', 'enable', 'drill'];
const TRAP: readonly CommandName[] = ['run', 'check', 'drill'];

/** Every option, in the order `--help` shows them. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'witness',
    type: 'string',
    valueName: 'NAME',
    env: 'WITNESS_TRAP_WITNESS',
    description: 'witness account',
    commands: CONFIGURED,
    requiredBy: CHAIN,
  },
  {
    name: 'node',
    type: 'url',
    valueName: 'URL',
    env: 'WITNESS_TRAP_NODE',
    defaultText: 'built-in public Hive API nodes',
    description: 'RPC node, repeatable, tried/used as a set',
    repeatable: true,
    commands: CHAIN,
  },
  {
    name: 'backup-key',
    type: 'public-key',
    valueName: 'PUB',
    env: 'WITNESS_TRAP_BACKUP_KEY',
    description: 'public signing key to fail over to, repeatable, in order (run: at least one)',
    repeatable: true,
    commands: ['run', 'status', 'check', 'switch', 'drill'],
    requiredBy: TRAP,
  },
  {
    name: 'signing-keys-file',
    type: 'path',
    valueName: 'PATH',
    env: 'WITNESS_TRAP_SIGNING_KEYS_FILE',
    description:
      "private signing keys (WIF), one per line, '#' comments; the keys the trap may switch away from (mode 600)",
    commands: KEYS,
  },
  {
    name: 'active-key-file',
    type: 'path',
    valueName: 'PATH',
    env: 'WITNESS_TRAP_ACTIVE_KEY_FILE',
    description:
      'optional active key (WIF); used only where witness_set_properties cannot serve (enable, or the current key is not held)',
    commands: KEYS,
  },
  {
    name: 'signing-keys',
    type: 'string',
    env: 'WITNESS_TRAP_SIGNING_KEYS',
    description: 'private signing keys (WIF), comma or newline separated: environment only, never a flag',
    secret: true,
    commands: KEYS,
  },
  {
    name: 'active-key',
    type: 'string',
    env: 'WITNESS_TRAP_ACTIVE_KEY',
    description: 'the active key (WIF): environment only, never a flag',
    secret: true,
    commands: KEYS,
  },
  {
    name: 'to',
    type: 'public-key',
    valueName: 'KEY',
    env: 'WITNESS_TRAP_TO',
    description: 'the signing key to switch to (switch: default the next backup key)',
    commands: ['switch', 'enable'],
    requiredBy: ['enable'],
  },
  {
    name: 'health',
    type: 'key-url',
    valueName: 'KEY=URL',
    env: 'WITNESS_TRAP_HEALTH',
    description:
      'health URL of the node holding KEY (GET, 2xx = up); a backup whose node is down or far behind is skipped, repeatable',
    repeatable: true,
    commands: ['run', 'check', 'drill'],
  },
  {
    name: 'preemptive',
    type: 'boolean',
    env: 'WITNESS_TRAP_PREEMPTIVE',
    default: 'false',
    description:
      'with --health for the key on chain: switch before a slot whose node is dark (3 dark probes a poll apart, by 1.5 blocks before the slot): no missed slot for a node dead 2 blocks before it',
    commands: ['run', 'check', 'drill'],
  },
  {
    name: 'misses',
    type: 'count',
    valueName: 'N',
    env: 'WITNESS_TRAP_MISSES',
    default: '1',
    description: 'missed slots, counted after arming, that trigger',
    commands: TRAP,
  },
  {
    name: 'window',
    type: 'duration',
    valueName: 'DURATION',
    env: 'WITNESS_TRAP_WINDOW',
    default: '1h',
    description: 'the window those misses must fall in (e.g. 90s, 15m, 1h)',
    commands: TRAP,
  },
  {
    name: 'chain-id',
    type: 'hex64',
    valueName: 'HEX',
    env: 'WITNESS_TRAP_CHAIN_ID',
    defaultText: 'Hive mainnet',
    description: 'the chain id transactions are signed for',
    commands: CHAIN,
  },
  {
    name: 'block-interval',
    type: 'ms',
    valueName: 'MS',
    env: 'WITNESS_TRAP_BLOCK_INTERVAL',
    defaultText: "from the chain's config, 3000 on Hive; demo: 400",
    description: "the chain's block interval; set it for accelerated simulated chains",
    commands: ['run', 'status', 'check', 'switch', 'disable', 'enable', 'drill', 'demo'],
  },
  {
    name: 'poll-interval',
    type: 'ms',
    valueName: 'MS',
    env: 'WITNESS_TRAP_POLL_INTERVAL',
    defaultText: 'derived from the block interval',
    description: 'how often to poll the head while a block is due',
    commands: ['run', 'drill'],
  },
  {
    name: 'rpc-timeout',
    type: 'ms',
    valueName: 'MS',
    env: 'WITNESS_TRAP_RPC_TIMEOUT',
    defaultText: "the chain client's, 5000",
    description: "per-call timeout of each node: reads, and each node's share of a broadcast",
    commands: CHAIN,
  },
  {
    name: 'min-nodes',
    type: 'count',
    valueName: 'N',
    env: 'WITNESS_TRAP_MIN_NODES',
    default: '1',
    description:
      'at least N available RPC nodes must agree before the trap decides (the number of --node keeps every node required: one bad node makes it wait)',
    commands: CHAIN,
  },
  {
    name: 'state',
    type: 'path',
    valueName: 'PATH',
    env: 'WITNESS_TRAP_STATE',
    default: '.witness-trap-state.json',
    description: 'state file (written atomically; keeps a switch in flight across restarts)',
    commands: ['run', 'status', 'switch'],
  },
  {
    name: 'webhook',
    type: 'url',
    valueName: 'URL',
    env: 'WITNESS_TRAP_WEBHOOK',
    description: 'POST every notification as JSON to this URL, repeatable',
    repeatable: true,
    commands: ['run', 'check', 'switch', 'disable', 'enable', 'notify-test', 'drill'],
  },
  {
    name: 'notify',
    type: 'boolean',
    env: 'WITNESS_TRAP_NOTIFY',
    default: 'false',
    description: 'drill: also send one test message through every configured notifier (off: a drill pages nobody)',
    commands: ['drill'],
  },
  {
    name: 'dry-run',
    type: 'boolean',
    env: 'WITNESS_TRAP_DRY_RUN',
    default: 'false',
    description: 'build and sign, never broadcast',
    commands: ['run', 'switch', 'disable', 'enable'],
  },
  {
    name: 'daemon',
    type: 'boolean',
    env: 'WITNESS_TRAP_DAEMON',
    default: 'false',
    description: 're-arm after a failover instead of exiting',
    commands: ['run'],
  },
  {
    name: 'kill-switch',
    type: 'boolean',
    env: 'WITNESS_TRAP_KILL_SWITCH',
    default: 'false',
    description: 'daemon: when every backup has failed, set the null key (disable the witness) instead of missing on',
    commands: ['run'],
  },
  {
    name: 'remote-control',
    type: 'string',
    valueName: 'telegram',
    env: 'WITNESS_TRAP_REMOTE_CONTROL',
    description:
      'obey Telegram commands from TELEGRAM_CHAT_ID: /status /switch [PUB] /disable /pause /resume /help; /switch and /disable act only on `/confirm CODE` (one-time, 60 s)',
    commands: TRAP,
  },
  {
    name: 'metrics',
    type: 'host-port',
    valueName: 'HOST:PORT',
    env: 'WITNESS_TRAP_METRICS',
    description: `serve Prometheus /metrics and /healthz (--metrics alone: ${DEFAULT_METRICS_ADDRESS})`,
    bareValue: DEFAULT_METRICS_ADDRESS,
    commands: ['run'],
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    env: 'WITNESS_TRAP_LOG_LEVEL',
    default: 'info',
    description: 'error|warn|info|debug: the least severe log line shown (info: one line per round in run)',
    commands: [...CONFIGURED, 'demo'],
  },
  {
    name: 'log-format',
    type: 'string',
    valueName: 'FORMAT',
    env: 'WITNESS_TRAP_LOG_FORMAT',
    defaultText: 'pretty on a terminal, json elsewhere',
    description: 'pretty|json: how log lines on stderr read (--json puts JSON lines on stdout instead)',
    commands: [...CONFIGURED, 'demo'],
  },
  {
    name: 'json',
    type: 'boolean',
    env: 'WITNESS_TRAP_JSON',
    default: 'false',
    description: 'JSON on stdout: logs as JSON lines, then the result as one object on the last line',
    commands: [...CONFIGURED, 'keygen', 'demo'],
  },
  {
    name: 'config',
    type: 'path',
    valueName: 'PATH',
    env: 'WITNESS_TRAP_CONFIG',
    description:
      'a JSON file of options by name (e.g. {"witness": "alice", "node": ["https://..."]}); env and flags win',
    commands: [...CONFIGURED, 'demo'],
  },
];

/**
 * The commands that take the whole command line of `run` besides their own options, so that an operator can swap
 * the verb on the line they are about to deploy: `check` validates it, `drill` rehearses it. A rule, not a list per
 * option: an option added to `run` applies to both without another edit.
 */
export const RUN_LINE_COMMANDS: readonly CommandName[] = ['check', 'drill'];

/** Whether `command` takes `option`: listed in its `commands`, or a `run` option and `command` takes run's line. */
export function appliesTo(option: OptionSpec, command: CommandName): boolean {
  if (option.commands.includes(command)) return true;
  return RUN_LINE_COMMANDS.includes(command) && option.commands.includes('run');
}

/** The commands that take `option`, in {@link COMMAND_NAMES} order. */
export function commandsOf(option: OptionSpec): CommandName[] {
  return COMMAND_NAMES.filter((command) => appliesTo(option, command));
}

/** The options a command takes, in table order. */
export function optionsFor(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((option) => appliesTo(option, command));
}

/** The environment variable of an option name: `backup-key` -> `WITNESS_TRAP_BACKUP_KEY`. */
export function envNameOf(name: string): string {
  return `WITNESS_TRAP_${name.toUpperCase().replaceAll('-', '_')}`;
}
