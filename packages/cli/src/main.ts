/**
 * The CLI's entry: picks the command, reads the configuration, runs the command, and turns whatever happened into
 * an exit code. Commands are imported lazily so that `--help` and `keygen` never load dhive or wax.
 */
import { readFileSync } from 'node:fs';
import { agreeOnChainId } from './chain-id.js';
import { collectSettings, type Settings } from './config.js';
import { didYouMean } from './did-you-mean.js';
import { ExitCode, errorLines, exitCodeFor } from './exit-codes.js';
import { renderCommandHelp, renderMainHelp } from './help.js';
import { COMMAND_NAMES, type CommandName } from './options.js';
import { Output, type OutputStream } from './output.js';
import { safeUrl } from './safe-url.js';
import { UsageError } from './usage-error.js';

/** What a command gets: its settings, where to print, and a signal that aborts on SIGINT/SIGTERM. */
export interface CommandContext {
  settings: Settings;
  output: Output;
  signal: AbortSignal;
  /** Configuration problems already found (only `check` runs with some: it reports them beside its own). */
  problems: string[];
  /** Where a confirmation is read from (`switch`, `disable`, `enable` ask only where it is a terminal). */
  stdin?: InputStream;
}

/** A stream the CLI reads an answer from: `process.stdin`, or a test's. */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean };

/** A command: does its work and says how it ended (an exit code). Throws for errors; `main` maps them. */
export type Command = (context: CommandContext) => Promise<number>;

/** The process around the CLI; all injectable, for tests. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborts on SIGINT/SIGTERM (bin.ts wires the signals). */
  signal: AbortSignal;
  /** @default process.stdin */
  stdin: InputStream;
}

const COMMANDS: Record<Exclude<CommandName, 'simnet'>, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  switch: async () => (await import('./commands/switch.js')).switchCommand,
  disable: async () => (await import('./commands/switch.js')).disableCommand,
  enable: async () => (await import('./commands/switch.js')).enableCommand,
  keygen: async () => (await import('./commands/keygen.js')).keygenCommand,
  'notify-test': async () => (await import('./commands/notify-test.js')).notifyTestCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  drill: async () => (await import('./commands/drill.js')).drillCommand,
};

/** The commands that sign (or rehearse signing) for the configured chain: the nodes' chain id is checked first. */
const SIGNING_COMMANDS: ReadonlySet<CommandName> = new Set(['run', 'switch', 'disable', 'enable', 'drill']);

/** The CLI's version, from its package.json (found by walking up: dist/ and src/ sit one level below it). */
export function cliVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'witness-trap' && pkg.version) return pkg.version;
    } catch {}
  }
  return 'unknown';
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code.
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const [first, ...rest] = argv;
  if (first === undefined) {
    stderr.write(`${renderMainHelp(cliVersion())}\n`);
    return ExitCode.usage;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    // `witness-trap help run` is `witness-trap run --help`.
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && topic !== 'simnet' && (COMMAND_NAMES as readonly string[]).includes(topic)) {
      stdout.write(`${renderCommandHelp(topic as CommandName)}\n`);
      return ExitCode.ok;
    }
    if (topic === 'simnet') return (await import('./commands/simnet.js')).runSimnetCommand(['--help'], io.signal);
    if (topic !== undefined) {
      stderr.write(
        `witness-trap: no command ${JSON.stringify(topic)}${didYouMean(topic, COMMAND_NAMES) || ';'} see witness-trap --help\n`,
      );
      return ExitCode.usage;
    }
    stdout.write(`${renderMainHelp(cliVersion())}\n`);
    return ExitCode.ok;
  }
  if (first === '--version' || first === '-v') {
    stdout.write(`${cliVersion()}\n`);
    return ExitCode.ok;
  }
  if (!(COMMAND_NAMES as readonly string[]).includes(first)) {
    stderr.write(
      `witness-trap: unknown command ${JSON.stringify(first)}${didYouMean(first, COMMAND_NAMES) || ';'} see witness-trap --help\n`,
    );
    return ExitCode.usage;
  }
  const command = first as CommandName;
  if (command === 'simnet') {
    // The simnet owns its flags and its --help (its contract is its own); it gets the raw arguments.
    const { runSimnetCommand } = await import('./commands/simnet.js');
    return runSimnetCommand(rest, io.signal);
  }

  const wantsJson = rest.includes('--json');
  let output = new Output({ stdout, stderr, env, json: wantsJson });
  try {
    const { help, settings, problems } = collectSettings({ command, args: rest, env, cwd: io.cwd });
    if (help) {
      stdout.write(`${renderCommandHelp(command)}\n`);
      return ExitCode.ok;
    }
    output = new Output({
      stdout,
      stderr,
      env: settings.env,
      json: settings.json,
      secrets: secretsOf(settings),
      level: settings.logLevel,
      ...(settings.logFormat === undefined ? {} : { format: settings.logFormat }),
    });
    for (const node of settings.nodes) output.addReplacement(node, safeUrl(node));
    if (problems.length > 0 && command !== 'check') throw new UsageError('CONFIG_INVALID', problems);
    const signal = io.signal ?? new AbortController().signal;
    // `check` reports the nodes' chain ids itself, beside its other findings.
    const agreed = SIGNING_COMMANDS.has(command) ? await agreeOnChainId(settings, output, signal) : settings;
    const run = await COMMANDS[command]();
    return await run({ settings: agreed, output, problems, signal, stdin: io.stdin ?? process.stdin });
  } catch (error) {
    reportError(output, error);
    return exitCodeFor(error);
  } finally {
    output.endLive();
  }
}

/** Values the output must never print, whatever carries them. */
function secretsOf(settings: Settings): string[] {
  const env = settings.env;
  return [
    settings.signingKeysEnv,
    settings.activeKeyEnv,
    env.TWILIO_AUTH_TOKEN,
    env.TWILIO_API_SECRET,
    env.TELEGRAM_BOT_TOKEN,
    ...settings.webhooks,
  ].filter((value): value is string => typeof value === 'string' && value !== '');
}

function reportError(output: Output, error: unknown): void {
  const code = (error as { code?: unknown })?.code;
  const lines = errorLines(error);
  const config = exitCodeFor(error) === ExitCode.usage;
  if (output.json) {
    output.log('error', config ? 'config-error' : 'error', lines.join('; '), {
      code: typeof code === 'string' ? code : 'UNEXPECTED',
      problems: lines,
      exitCode: exitCodeFor(error),
    });
    return;
  }
  const head = config ? 'witness-trap: configuration problem' : 'witness-trap: failed';
  output.endLive();
  const text =
    lines.length === 1 ? `${head}: ${lines[0]}` : `${head}s:\n${lines.map((line) => `  - ${line}`).join('\n')}`;
  const tail = config ? '\nNothing was broadcast.' : '';
  // On a terminal, plain words for the person who typed the command; elsewhere a JSON record (stderr, or stdout
  // with --json).
  if (output.interactive) output.say(`${output.paint('red', text)}${tail}`);
  else output.log('error', config ? 'config-error' : 'error', `${text}${tail}`, { code, problems: lines });
}
