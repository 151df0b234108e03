/** `--help` text, derived from the option table. */
import { COMMAND_NAMES, COMMAND_SUMMARIES, type CommandName, type OptionSpec, optionsFor } from './options.js';

/** The text of `witness-trap --help`. */
export function renderMainHelp(version: string): string {
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length));
  return [
    `witness-trap ${version}: automatic failover for Hive witness nodes`,
    '',
    'Usage: witness-trap <command> [options]',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMAND_SUMMARIES[name]}`),
    '',
    'Start here: witness-trap demo (offline, about 30 seconds).',
    'Each command has --help (or: witness-trap help COMMAND). Options also come from WITNESS_TRAP_* environment',
    'variables, a .env file in the working directory and --config FILE.json; flags win over the environment, which',
    'wins over .env and the file.',
    'Exit codes: 0 done (switch confirmed on chain; clean stop on SIGTERM), 1 runtime failure, 2 usage or configuration error (nothing broadcast), 3 kill switch set (witness disabled), 130 stopped by SIGINT; status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.',
  ].join('\n');
}

/** The text of `witness-trap <command> --help`. */
export function renderCommandHelp(command: CommandName): string {
  const options = optionsFor(command);
  const flags = options.filter((option) => !option.secret);
  const secrets = options.filter((option) => option.secret);
  const rows = flags.map((option) => [flagText(option), describe(option, command)] as const);
  const width = Math.min(30, Math.max(0, ...rows.map(([flag]) => flag.length)));
  const summary = COMMAND_SUMMARIES[command];
  const lines = [
    `Usage: witness-trap ${command} [options]`,
    '',
    `${summary.charAt(0).toUpperCase()}${summary.slice(1)}.`,
    '',
  ];
  if (rows.length > 0) {
    lines.push('Options:');
    for (const [flag, text] of rows) {
      lines.push(
        flag.length > width ? `  ${flag}\n  ${' '.repeat(width)}  ${text}` : `  ${flag.padEnd(width)}  ${text}`,
      );
    }
    lines.push(`  ${'--help'.padEnd(width)}  this text`, '');
    lines.push('Each option can also be set as WITNESS_TRAP_<OPTION> (e.g. --backup-key: WITNESS_TRAP_BACKUP_KEY;');
    lines.push('repeatable options comma-separated), in .env, or in the --config JSON file.');
  }
  if (secrets.length > 0) {
    lines.push('', 'Private keys (never flags):');
    const envWidth = Math.max(...secrets.map((option) => option.env.length));
    for (const option of secrets) lines.push(`  ${option.env.padEnd(envWidth)}  ${option.description}`);
  }
  const extra = COMMAND_NOTES[command];
  if (extra) lines.push('', extra);
  return lines.join('\n');
}

const COMMAND_NOTES: Partial<Record<CommandName, string>> = {
  run: 'Logs go to stderr (a narrative on a terminal, JSON lines otherwise; --log-format picks, --log-level filters);\nwith --json, JSON lines go to stdout.\nNotifiers from the environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_TO; TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID.',
  status:
    'The first line is a verdict: OK, WARNING (SWITCH PENDING, TRAP NOT RUNNING), CRITICAL (MISSING BLOCKS, DISABLED)\nor UNKNOWN; lines behind it start with !. Exit codes as a monitoring check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.',
  keygen:
    "The private key goes to stdout only; store it in the backup node's config (private-key = ...) and keep the\npublic key for --backup-key.",
  switch: 'Consequence: the witness signs blocks with the new key from the next slot; its old node stops producing.',
  disable:
    'Consequence: the witness stops producing blocks until someone runs witness-trap enable with the active key.',
  enable: 'Consequence: the witness is back in the schedule and produces with the new key from its next slot.',
  demo: 'Runs entirely offline on an accelerated simulated chain; nothing touches a real Hive node.',
  'notify-test':
    'Notifiers from the environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_TO (comma list),\nTWILIO_API_URL; TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID, TELEGRAM_API_URL; and --webhook.',
};

function flagText(option: OptionSpec): string {
  return option.valueName ? `--${option.name} ${option.valueName}` : `--${option.name}`;
}

function describe(option: OptionSpec, command: CommandName): string {
  let text = option.description;
  if (option.requiredBy?.includes(command)) text += ' (required)';
  const fallback = option.defaultText ?? (option.type === 'boolean' ? undefined : option.default);
  if (fallback !== undefined) text += ` (default: ${fallback})`;
  return text;
}
