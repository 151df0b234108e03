/**
 * Splits a command line into flags, checked against the option table: unknown options, missing values, private
 * keys passed as flags and stray arguments are all collected, so one run lists every mistake.
 */
import { didYouMean } from './did-you-mean.js';
import { type CommandName, OPTIONS, optionsFor } from './options.js';

/** The flags of one command line, by option name, in the order given (repeatable ones keep every value). */
export interface ParsedArgv {
  flags: Map<string, string[]>;
  help: boolean;
  problems: string[];
}

/** Parses the arguments after the command name. */
export function parseArgv(command: CommandName, args: readonly string[]): ParsedArgv {
  const accepted = new Map(optionsFor(command).map((spec) => [spec.name, spec]));
  const flags = new Map<string, string[]>();
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument ${quote(arg)}: options start with --; see witness-trap ${command} --help`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = accepted.get(name);
    if (!spec || spec.secret) {
      problems.push(unknownOption(command, name));
      // Its value goes with it: one mistake, one message (and a private key given as a flag is never echoed back).
      const known = OPTIONS.find((option) => option.name === name);
      const next = args[i + 1];
      if (eq < 0 && known?.type !== 'boolean' && next !== undefined && !next.startsWith('--')) i++;
      continue;
    }
    let value: string | undefined;
    if (spec.type === 'boolean') {
      value = eq < 0 ? 'true' : arg.slice(eq + 1);
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < args.length && !(args[i + 1] ?? '').startsWith('--')) {
      value = args[++i];
    }
    value ??= spec.bareValue;
    if (value === undefined) {
      problems.push(`--${name} needs a value: --${name} ${spec.valueName ?? 'VALUE'}`);
      continue;
    }
    const values = flags.get(name) ?? [];
    if (!spec.repeatable && values.length > 0) {
      problems.push(`--${name} was given more than once: give it once`);
      continue;
    }
    flags.set(name, [...values, value]);
  }
  return { flags, help, problems };
}

function unknownOption(command: CommandName, name: string): string {
  const spec = OPTIONS.find((option) => option.name === name);
  if (spec?.secret || (!spec && /(^|-)(private|wif|active)-?keys?$|^signing-keys$/.test(name))) {
    return `--${name}: private keys are never accepted as flags (they would show in ps and shell history); use --signing-keys-file / --active-key-file (mode 600) or WITNESS_TRAP_SIGNING_KEYS / WITNESS_TRAP_ACTIVE_KEY`;
  }
  if (spec) return `--${name} is not an option of ${command}; see witness-trap ${command} --help`;
  const near = didYouMean(
    name,
    optionsFor(command).flatMap((option) => (option.secret ? [] : [option.name])),
    (option) => `--${option}`,
  );
  return `unknown option --${name}${near ? `${near} (see` : '; see'} witness-trap ${command} --help${near ? ')' : ''}`;
}

/** Shows a stray argument safely: never a whole private key, even one typed in the wrong place. */
function quote(arg: string): string {
  return /^5[HJK][1-9A-HJ-NP-Za-km-z]{49}$/.test(arg) ? '(a private key, not shown)' : JSON.stringify(arg);
}
