/**
 * Configuration layering: defaults < `--config` JSON file < `.env` < real environment < flags. Every value is read
 * by its option's type; every mistake, from any layer, is collected and thrown together as one `UsageError`.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgv } from './argv.js';
import { didYouMean } from './did-you-mean.js';
import { readDotenv } from './env-file.js';
import { isPublicKey, isWif } from './hive-keys.js';
import { exposure } from './key-files.js';
import { type LogFormat, logLevelOf, logSettingsProblems } from './log-settings.js';
import {
  type CommandName,
  DEFAULT_METRICS_ADDRESS,
  DEFAULT_NODES,
  OPTIONS,
  type OptionSpec,
  optionsFor,
} from './options.js';
import type { LogLevel } from './output.js';
import { UsageError } from './usage-error.js';

/** Hive mainnet's chain id (kept here rather than imported from core so that option parsing never loads dhive). */
const MAINNET_CHAIN_ID = 'beeab0de00000000000000000000000000000000000000000000000000000000';
const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';
const SECRET_ENV = OPTIONS.filter((option) => option.secret).map((option) => option.env);
/** Variables a `.env` may hold that make it a secrets file: the private keys and the notifiers' tokens. */
const DOTENV_SECRETS = [...SECRET_ENV, 'TELEGRAM_BOT_TOKEN', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_SECRET'];

/** Where a value came from, lowest precedence first. */
export type SourceKind = 'default' | 'config' | 'dotenv' | 'env' | 'flag';

/** A `HOST:PORT` pair. */
export interface HostPort {
  host: string;
  port: number;
}

/** The CLI's configuration for one command, every layer applied and every value checked. */
export interface Settings {
  command: CommandName;
  witness?: string;
  /** RPC nodes, in order (the built-in public list where none was configured). */
  nodes: string[];
  backupKeys: string[];
  signingKeysFile?: string;
  activeKeyFile?: string;
  /** `WITNESS_TRAP_SIGNING_KEYS` (secret; environment or .env only). */
  signingKeysEnv?: string;
  /** `WITNESS_TRAP_ACTIVE_KEY` (secret; environment or .env only). */
  activeKeyEnv?: string;
  to?: string;
  misses: number;
  windowMs: number;
  chainId: string;
  blockIntervalMs?: number;
  pollIntervalMs?: number;
  /** Per-call timeout of each node; the chain client's default where unset. */
  rpcTimeoutMs?: number;
  /** At least this many available RPC nodes must agree (`--min-nodes`); the chain client's default, 1, where unset. */
  minNodes?: number;
  /** Absolute path. */
  statePath: string;
  webhooks: string[];
  /** Health URL of the node holding each key (`--health KEY=URL`). */
  health: Record<string, string>;
  /** `--preemptive`: switch before a slot whose node's health URL is dark. */
  preemptive: boolean;
  dryRun: boolean;
  /** `drill --notify`: send a test message through the notifiers too. */
  notify: boolean;
  killSwitch: boolean;
  daemon: boolean;
  metrics?: HostPort;
  /** `--remote-control telegram`: obey commands from the operator's Telegram chats. */
  remoteControl?: 'telegram';
  json: boolean;
  /** `--log-level`: the least severe log line shown. */
  logLevel: LogLevel;
  /** `--log-format`: how log lines on stderr read; absent: pretty on a terminal, JSON elsewhere. */
  logFormat?: LogFormat;
  /** The real environment over the `.env` file: what notifiers read their settings from. */
  env: Record<string, string | undefined>;
  /** For each option that was set, where from, e.g. `--misses`, `WITNESS_TRAP_NODE (.env)`. */
  sources: Record<string, string>;
}

/** What `resolveSettings` reads. Everything is injectable so that tests need no real process state. */
export interface SettingsInput {
  command: CommandName;
  /** The arguments after the command name. */
  args: readonly string[];
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** Where `.env` and relative paths are looked up. @default process.cwd() */
  cwd?: string;
}

/** The outcome of `resolveSettings`: settings, or a request for help. */
export type SettingsResult = { help: true } | { help: false; settings: Settings };

/** Settings as far as they could be read, and every problem found (for `check`, which reports them all). */
export interface CollectedSettings {
  help: boolean;
  settings: Settings;
  problems: string[];
}

interface Layered {
  values: string[];
  kind: SourceKind;
  label: string;
}

/**
 * Reads the whole configuration for `command`. Throws one `UsageError` listing every problem found.
 * @example
 * const result = resolveSettings({ command: 'status', args: ['--witness', 'alice', '--node', 'http://127.0.0.1:8090'] });
 */
export function resolveSettings(input: SettingsInput): SettingsResult {
  const collected = collectSettings(input);
  if (collected.help) return { help: true };
  if (collected.problems.length > 0) throw new UsageError('CONFIG_INVALID', collected.problems);
  return { help: false, settings: collected.settings };
}

/** Like {@link resolveSettings}, but returns the problems beside whatever could be read instead of throwing. */
export function collectSettings(input: SettingsInput): CollectedSettings {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const argv = parseArgv(input.command, input.args);
  const problems = [...argv.problems];
  const specs = optionsFor(input.command);

  let dotenv: Record<string, string> = {};
  const dotenvPath = resolve(cwd, '.env');
  try {
    dotenv = readDotenv(dotenvPath);
  } catch (error) {
    problems.push(`.env: cannot be read (${(error as Error).message}); fix its permissions or remove it`);
  }
  // A .env that holds private keys or notifier tokens is a key file, and is held to the same rule.
  const heldSecrets = DOTENV_SECRETS.filter((name) => dotenv[name] !== undefined);
  if (heldSecrets.length > 0) {
    const what = SECRET_ENV.some((name) => dotenv[name] !== undefined) ? 'private keys' : heldSecrets.join(', ');
    const exposed = exposure(statSync(dotenvPath).mode, dotenvPath, `.env (it holds ${what})`);
    if (exposed) {
      problems.push(exposed);
      for (const name of DOTENV_SECRETS) delete dotenv[name];
    }
  }
  const merged: Record<string, string | undefined> = { ...dotenv, ...env };
  problems.push(...unknownEnvironment(dotenv, '.env'), ...unknownEnvironment(env, 'environment'));

  const configPath = argv.flags.get('config')?.[0] ?? env.WITNESS_TRAP_CONFIG ?? dotenv.WITNESS_TRAP_CONFIG;
  const fromFile = configPath ? readConfigFile(resolve(cwd, configPath), problems) : {};

  const layered = new Map<string, Layered>();
  for (const spec of specs) {
    const flag = argv.flags.get(spec.name);
    if (flag) {
      layered.set(spec.name, { values: flag, kind: 'flag', label: `--${spec.name}` });
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      layered.set(spec.name, { values: split(spec, env[spec.env] ?? ''), kind: 'env', label: spec.env });
    } else if (dotenv[spec.env] !== undefined && dotenv[spec.env] !== '') {
      layered.set(spec.name, {
        values: split(spec, dotenv[spec.env] ?? ''),
        kind: 'dotenv',
        label: `${spec.env} (.env)`,
      });
    } else if (fromFile[spec.name] !== undefined) {
      const raw = fromFile[spec.name];
      if (spec.secret) {
        problems.push(
          `"${spec.name}" in ${configPath}: private keys never go in a config file; use ${spec.env} or a key file`,
        );
        continue;
      }
      const items = Array.isArray(raw) ? raw : [raw];
      if (!items.every(isScalar)) {
        problems.push(
          `"${spec.name}" in ${configPath}: must be a string, number or boolean, or a list of them (not ${describeJson(raw)})`,
        );
        continue;
      }
      const values = Array.isArray(raw) ? raw.map(String) : split(spec, String(raw));
      layered.set(spec.name, { values, kind: 'config', label: `"${spec.name}" in ${configPath}` });
    } else if (spec.default !== undefined) {
      layered.set(spec.name, { values: [spec.default], kind: 'default', label: `--${spec.name} default` });
    }
  }
  for (const key of Object.keys(fromFile)) {
    const spec = OPTIONS.find((option) => option.name === key);
    if (!spec) problems.push(`"${key}" in ${configPath}: unknown option; the names are the long flags, e.g. "witness"`);
  }

  const read = (name: string): unknown[] => {
    const layer = layered.get(name);
    const spec = specs.find((option) => option.name === name);
    if (!layer || !spec) return [];
    const out: unknown[] = [];
    for (const text of layer.values) {
      const parsed = parseValue(spec, text);
      if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
        problems.push(`${layer.label}: ${parsed.problem}`);
      } else {
        out.push(parsed);
      }
    }
    return out;
  };
  const one = <T>(name: string): T | undefined => read(name)[0] as T | undefined;
  const many = (name: string): string[] => read(name) as string[];

  for (const spec of specs) {
    if (spec.requiredBy?.includes(input.command) && !layered.has(spec.name)) {
      problems.push(
        `--${spec.name} is required by ${input.command}: pass --${spec.name} ${spec.valueName ?? ''} or set ${spec.env}`,
      );
    }
  }

  const backupKeys = many('backup-key');
  problems.push(...backupKeyProblems(backupKeys, layered.get('backup-key')?.label ?? '--backup-key'));
  const to = one<string>('to');
  if (to === NULL_KEY && input.command !== 'disable') {
    problems.push(`--to: the null key disables the witness; use witness-trap disable for that`);
  }

  if (one<boolean>('preemptive') === true && !layered.has('health')) {
    problems.push(
      '--preemptive needs the health URL of the node holding the key on chain: add --health STM...=http://HOST:PORT/health (witness-trap check says which key)',
    );
  }
  const remoteControl = one<string>('remote-control');
  if (remoteControl !== undefined) {
    problems.push(...remoteControlProblems(remoteControl, layered.get('remote-control')?.label ?? '', merged));
  }

  const minNodes = one<number>('min-nodes');
  const nodeCount = many('node').length > 0 ? new Set(many('node')).size : DEFAULT_NODES.length;
  if (minNodes !== undefined && minNodes > nodeCount) {
    problems.push(
      `--min-nodes ${minNodes} is more than the ${nodeCount} RPC node${nodeCount === 1 ? '' : 's'} configured: at most ${nodeCount} (every node must agree)`,
    );
  }

  const logLevel = one<string>('log-level') ?? 'info';
  const logFormat = one<string>('log-format');
  problems.push(...logSettingsProblems(logLevel, logFormat));

  const sources: Record<string, string> = {};
  for (const [name, layer] of layered) if (layer.kind !== 'default') sources[name] = layer.label;

  const settings: Settings = {
    command: input.command,
    witness: one<string>('witness'),
    nodes: many('node').length > 0 ? many('node') : [...DEFAULT_NODES],
    backupKeys,
    signingKeysFile: absolute(cwd, one<string>('signing-keys-file')),
    activeKeyFile: absolute(cwd, one<string>('active-key-file')),
    signingKeysEnv: one<string>('signing-keys'),
    activeKeyEnv: one<string>('active-key'),
    to,
    misses: one<number>('misses') ?? 1,
    windowMs: one<number>('window') ?? 3_600_000,
    chainId: one<string>('chain-id') ?? MAINNET_CHAIN_ID,
    blockIntervalMs: one<number>('block-interval'),
    pollIntervalMs: one<number>('poll-interval'),
    rpcTimeoutMs: one<number>('rpc-timeout'),
    minNodes,
    statePath: resolve(cwd, one<string>('state') ?? '.witness-trap-state.json'),
    webhooks: many('webhook'),
    health: Object.fromEntries(read('health') as Array<[string, string]>),
    preemptive: one<boolean>('preemptive') ?? false,
    dryRun: one<boolean>('dry-run') ?? false,
    notify: one<boolean>('notify') ?? false,
    killSwitch: one<boolean>('kill-switch') ?? false,
    daemon: one<boolean>('daemon') ?? false,
    metrics: one<HostPort>('metrics'),
    ...(remoteControl === 'telegram' ? { remoteControl } : {}),
    json: one<boolean>('json') ?? false,
    logLevel: logLevelOf(logLevel),
    ...(logFormat === 'pretty' || logFormat === 'json' ? { logFormat } : {}),
    env: merged,
    sources,
  };
  return { help: argv.help, settings, problems: dedupe(problems) };
}

function absolute(cwd: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(cwd, path);
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

function split(spec: OptionSpec, text: string): string[] {
  if (spec.secret) return [text];
  if (!spec.repeatable) return [text.trim()];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function unknownEnvironment(env: Record<string, string | undefined>, where: string): string[] {
  const known = new Set(OPTIONS.map((option) => option.env));
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('WITNESS_TRAP_') || known.has(name)) continue;
    const near = didYouMean(name, known);
    problems.push(`${name} (${where}) is not a witness-trap setting${near || '; see witness-trap --help'}`);
  }
  return problems;
}

/** A JSON value a config file may give an option: a string, a finite number or a boolean. */
function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
  );
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list holding an object, a list or null';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`--config ${path}: must hold one JSON object of options by name`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    problems.push(`--config ${path}: cannot be read (${reason}); fix the path or the JSON`);
    return {};
  }
}

/** `--remote-control`: `telegram` is the one remote there is, and it needs its bot and the chats it obeys. */
function remoteControlProblems(value: string, label: string, env: Record<string, string | undefined>): string[] {
  if (value !== 'telegram')
    return [`${label}: ${JSON.stringify(value)} is not a remote control; the one there is: telegram`];
  const missing = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID'].filter((name) => (env[name] ?? '').trim() === '');
  return missing.map(
    (name) =>
      `${label} telegram needs ${name} (${name === 'TELEGRAM_CHAT_ID' ? 'the chats it obeys, comma-separated' : 'the bot token'})`,
  );
}

function backupKeyProblems(keys: string[], label: string): string[] {
  const problems: string[] = [];
  if (keys.includes(NULL_KEY)) {
    problems.push(
      `${label}: the null key is not a backup (it disables the witness); use witness-trap disable for that`,
    );
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) problems.push(`${label}: ${key} is listed twice; list each backup key once, in order`);
    seen.add(key);
  }
  return problems;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Reads one value by its option's type; returns `{ problem }` (one phrase, no secret) where it cannot. */
export function parseValue(spec: OptionSpec, text: string): unknown {
  switch (spec.type) {
    case 'string':
    case 'path':
      return text === '' ? { problem: 'is empty' } : text;
    case 'url': {
      // Node URLs and webhooks may carry credentials in their path or query: never echo them.
      try {
        const url = new URL(text);
        if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString().replace(/\/$/, '');
      } catch {}
      return { problem: 'is not an http(s) URL (e.g. https://api.hive.blog)' };
    }
    case 'public-key':
      if (isWif(text)) return { problem: 'that is a PRIVATE key (WIF); give the public key (STM...) here' };
      return isPublicKey(text)
        ? text
        : { problem: `${JSON.stringify(text)} is not a public key (STM... with a valid checksum)` };
    case 'hex64':
      return /^[0-9a-fA-F]{64}$/.test(text)
        ? text.toLowerCase()
        : { problem: `${JSON.stringify(text)} is not a chain id (64 hex digits; mainnet is beeab0de00...)` };
    case 'count':
      return /^\d+$/.test(text) && Number(text) >= 1
        ? Number(text)
        : { problem: `${JSON.stringify(text)} is not a whole number >= 1 (e.g. ${spec.default ?? '1'})` };
    case 'ms':
      return /^\d+$/.test(text) && Number(text) >= 1
        ? Number(text)
        : { problem: `${JSON.stringify(text)} is not a whole number of milliseconds >= 1 (e.g. 3000)` };
    case 'duration': {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
      const value = match ? Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
      return value >= 1
        ? Math.round(value)
        : { problem: `${JSON.stringify(text)} is not a duration: a number with a unit, e.g. 90s, 15m, 1h, 2d` };
    }
    case 'host-port': {
      const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
      const port = Number(match?.[2]);
      if (!match || port > 65535)
        return { problem: `${JSON.stringify(text)} is not HOST:PORT (e.g. ${DEFAULT_METRICS_ADDRESS})` };
      return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port } satisfies HostPort;
    }
    case 'key-url': {
      const at = text.indexOf('=');
      const key = text.slice(0, at);
      const url = parseValue({ ...spec, type: 'url' }, text.slice(at + 1));
      if (at < 0 || !isPublicKey(key) || typeof url !== 'string') {
        return { problem: 'is not KEY=URL (a public key, =, an http(s) URL: STM...=http://10.0.0.2:8091/health)' };
      }
      return [key, url];
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off', ''].includes(lower)) return false;
      return { problem: `${JSON.stringify(text)} is not true or false` };
    }
  }
}
