import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings, type Settings } from './config.js';
import { envNameOf, OPTIONS } from './options.js';
import { UsageError } from './usage-error.js';

const KEY_A = 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo';
const KEY_B = 'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM';
const WIF_A = '5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'wt-config-'));
}

function settings(args: string[], env: Record<string, string> = {}, cwd = dir()): Settings {
  const result = resolveSettings({ command: 'run', args, env, cwd });
  if (result.help) throw new Error('unexpected help');
  return result.settings;
}

function problems(args: string[], env: Record<string, string> = {}, cwd = dir(), command: 'run' | 'status' = 'run') {
  try {
    resolveSettings({ command, args, env, cwd });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).problems;
  }
  throw new Error('expected a UsageError');
}

describe('configuration layering', () => {
  it('takes flags over the environment, the environment over .env, and .env over the config file', () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, '.env'),
      'WITNESS_TRAP_WITNESS=from-dotenv\nWITNESS_TRAP_MISSES=3\nWITNESS_TRAP_WINDOW=5m\n',
    );
    writeFileSync(
      join(cwd, 'wt.json'),
      JSON.stringify({ witness: 'from-file', misses: 4, window: '7m', 'backup-key': [KEY_A, KEY_B] }),
    );
    const env = { WITNESS_TRAP_WITNESS: 'from-env', WITNESS_TRAP_MISSES: '2' };
    const result = settings(['--config', 'wt.json', '--witness', 'from-flag'], env, cwd);
    expect(result.witness).toBe('from-flag');
    expect(result.misses).toBe(2);
    expect(result.windowMs).toBe(5 * 60_000);
    expect(result.backupKeys).toEqual([KEY_A, KEY_B]);
    expect(result.sources).toMatchObject({
      witness: '--witness',
      misses: 'WITNESS_TRAP_MISSES',
      window: 'WITNESS_TRAP_WINDOW (.env)',
    });
  });

  it('refuses private keys from a .env that group or others can read, with the chmod that fixes it', () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), `WITNESS_TRAP_SIGNING_KEYS=${WIF_A}\n`);
    chmodSync(join(cwd, '.env'), 0o644);
    const found = problems(['--witness', 'a', '--backup-key', KEY_A], {}, cwd);
    expect(found).toEqual([
      `.env (it holds private keys) ${join(cwd, '.env')}: readable by group or others (mode 0644); refusing to use it: run chmod 600 ${join(cwd, '.env')}`,
    ]);
    chmodSync(join(cwd, '.env'), 0o600);
    expect(settings(['--witness', 'a', '--backup-key', KEY_A], {}, cwd).signingKeysEnv).toBe(WIF_A);
  });

  it('refuses a .env holding a notifier token that group or others can read, with the chmod that fixes it', () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'TELEGRAM_BOT_TOKEN=123:abc\n');
    chmodSync(join(cwd, '.env'), 0o644);
    expect(problems(['--witness', 'a', '--backup-key', KEY_A], {}, cwd)).toEqual([
      `.env (it holds TELEGRAM_BOT_TOKEN) ${join(cwd, '.env')}: readable by group or others (mode 0644); refusing to use it: run chmod 600 ${join(cwd, '.env')}`,
    ]);
    chmodSync(join(cwd, '.env'), 0o600);
    expect(settings(['--witness', 'a', '--backup-key', KEY_A], {}, cwd).env.TELEGRAM_BOT_TOKEN).toBe('123:abc');
  });

  it('splits repeatable options on commas in the environment and keeps their order', () => {
    const result = settings(['--witness', 'alice'], {
      WITNESS_TRAP_BACKUP_KEY: `${KEY_B}, ${KEY_A}`,
      WITNESS_TRAP_NODE: 'http://127.0.0.1:1,http://127.0.0.1:2',
    });
    expect(result.backupKeys).toEqual([KEY_B, KEY_A]);
    expect(result.nodes).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('reads health URLs as KEY=URL pairs, from flags or a comma list in the environment', () => {
    const result = settings(
      ['--witness', 'a', '--backup-key', KEY_A, '--health', `${KEY_A}=http://10.0.0.2:8091/health`],
      {
        WITNESS_TRAP_HEALTH: `${KEY_B}=http://10.0.0.3:8091/health`,
      },
    );
    expect(result.health).toEqual({ [KEY_A]: 'http://10.0.0.2:8091/health' });
    const fromEnv = settings(['--witness', 'a', '--backup-key', KEY_A], {
      WITNESS_TRAP_HEALTH: `${KEY_A}=http://10.0.0.2:8091/health,${KEY_B}=http://10.0.0.3:8091/health`,
    });
    expect(Object.keys(fromEnv.health)).toEqual([KEY_A, KEY_B]);
    expect(problems(['--witness', 'a', '--backup-key', KEY_A, '--health', 'http://10.0.0.2/health']).join()).toMatch(
      /--health: is not KEY=URL/,
    );
  });

  it('falls back to the defaults of the table', () => {
    const result = settings(['--witness', 'alice', '--backup-key', KEY_A]);
    expect(result.misses).toBe(1);
    expect(result.windowMs).toBe(3_600_000);
    expect(result.chainId).toBe('beeab0de00000000000000000000000000000000000000000000000000000000');
    expect(result.nodes.length).toBeGreaterThan(1);
  });

  it('reads private keys from the environment and .env, never from a config file', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'wt.json'), JSON.stringify({ witness: 'alice', 'signing-keys': WIF_A }));
    const found = problems(['--config', 'wt.json', '--backup-key', KEY_A], {}, cwd);
    expect(found.join('\n')).toMatch(/private keys never go in a config file/);
    expect(found.join('\n')).not.toContain(WIF_A);
    const ok = settings(['--witness', 'a', '--backup-key', KEY_A], { WITNESS_TRAP_SIGNING_KEYS: WIF_A });
    expect(ok.signingKeysEnv).toBe(WIF_A);
  });
});

describe('bad input', () => {
  it('refuses a config file value that is an object, null or a list of those, naming the option', () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, 'wt.json'),
      JSON.stringify({ witness: { toString: null }, node: [{}], 'backup-key': null, 'poll-interval': [1, [2]] }),
    );
    const found = problems(['--config', 'wt.json'], {}, cwd).join('\n');
    expect(found).toMatch(/"witness" in wt\.json: must be a string, number or boolean.*not an object/);
    expect(found).toMatch(/"node" in wt\.json: must be/);
    expect(found).toMatch(/"backup-key" in wt\.json: .*not null/);
    expect(found).toMatch(/"poll-interval" in wt\.json: must be/);
    writeFileSync(join(cwd, 'ok.json'), JSON.stringify({ witness: 'alice', 'backup-key': [KEY_A, KEY_B] }));
    expect(settings(['--config', 'ok.json'], {}, cwd).backupKeys).toEqual([KEY_A, KEY_B]);
  });

  it('lists every problem at once, each naming its option', () => {
    const found = problems(['--misses', '0', '--window', '3600', '--node', 'ftp://x', '--metrics', 'nope', '--bogus']);
    const text = found.join('\n');
    expect(text).toMatch(/--misses: "0" is not a whole number/);
    expect(text).toMatch(/--window: "3600" is not a duration/);
    expect(text).toMatch(/--node: is not an http\(s\) URL/);
    expect(text).toMatch(/--metrics: "nope" is not HOST:PORT/);
    expect(text).toMatch(/unknown option --bogus/);
    expect(text).toMatch(/--witness is required by run/);
    expect(text).toMatch(/--backup-key is required by run/);
  });

  it('refuses a private key as a flag without echoing it', () => {
    const found = problems(['--witness', 'a', '--backup-key', KEY_A, '--signing-keys', WIF_A, '--active-key', WIF_A]);
    expect(found.join('\n')).toMatch(/private keys are never accepted as flags/);
    expect(found.join('\n')).not.toContain(WIF_A);
  });

  it('refuses a private key where a public key belongs, without echoing it', () => {
    const found = problems(['--witness', 'a', '--backup-key', WIF_A]);
    expect(found.join('\n')).toMatch(/--backup-key: that is a PRIVATE key/);
    expect(found.join('\n')).not.toContain(WIF_A);
  });

  it('refuses the null key and a repeated key as backups', () => {
    const found = problems([
      '--witness',
      'a',
      '--backup-key',
      'STM1111111111111111111111111111111114T1Anm',
      '--backup-key',
      KEY_A,
      '--backup-key',
      KEY_A,
    ]);
    expect(found.join('\n')).toMatch(/null key is not a backup/);
    expect(found.join('\n')).toMatch(/listed twice/);
  });

  it('names the variable of a bad environment value, and catches a misspelt variable', () => {
    const found = problems(['--witness', 'a', '--backup-key', KEY_A], {
      WITNESS_TRAP_MISSES: 'many',
      WITNESS_TRAP_BACKUP_KEYS: KEY_B,
    });
    expect(found.join('\n')).toMatch(/WITNESS_TRAP_MISSES: "many"/);
    expect(found.join('\n')).toMatch(/WITNESS_TRAP_BACKUP_KEYS .* did you mean WITNESS_TRAP_BACKUP_KEY\?/);
  });

  it('refuses options that belong to another command', () => {
    const found = problems(['--witness', 'a', '--daemon'], {}, dir(), 'status');
    expect(found).toEqual(['--daemon is not an option of status; see witness-trap status --help']);
  });
});

describe('the option table', () => {
  it('names every environment variable after its option', () => {
    for (const option of OPTIONS) expect(option.env).toBe(envNameOf(option.name));
  });

  it('keeps secrets out of flags', () => {
    const cwd = dir();
    const keyFile = join(cwd, 'k');
    writeFileSync(keyFile, WIF_A);
    chmodSync(keyFile, 0o600);
    for (const option of OPTIONS.filter((o) => o.secret)) {
      expect(problems(['--witness', 'a', '--backup-key', KEY_A, `--${option.name}=${WIF_A}`]).join()).not.toContain(
        WIF_A,
      );
    }
  });
});

describe('--remote-control', () => {
  const base = ['--witness', 'alice', '--backup-key', KEY_A];
  it('takes telegram from the flag or WITNESS_TRAP_REMOTE_CONTROL, given the bot and its chats', () => {
    const telegram = { TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_CHAT_ID: '42,-1001' };
    expect(settings([...base, '--remote-control', 'telegram'], telegram).remoteControl).toBe('telegram');
    expect(settings(base, { ...telegram, WITNESS_TRAP_REMOTE_CONTROL: 'telegram' }).remoteControl).toBe('telegram');
    expect(settings(base, telegram).remoteControl).toBeUndefined();
  });

  it('refuses another remote, and telegram without TELEGRAM_BOT_TOKEN or TELEGRAM_CHAT_ID', () => {
    expect(problems([...base, '--remote-control', 'discord'])).toEqual([
      '--remote-control: "discord" is not a remote control; the one there is: telegram',
    ]);
    const missing = problems([...base, '--remote-control', 'telegram'], { TELEGRAM_BOT_TOKEN: '1:abc' });
    expect(missing).toEqual([expect.stringMatching(/needs TELEGRAM_CHAT_ID/)]);
    expect(missing.join('\n')).not.toContain('1:abc');
  });
});

describe('--min-nodes', () => {
  const base = [
    '--witness',
    'a',
    '--backup-key',
    KEY_A,
    '--node',
    'http://127.0.0.1:1',
    '--node',
    'http://127.0.0.1:2',
  ];

  it('takes the floor of agreeing available nodes from a flag or WITNESS_TRAP_MIN_NODES, 1 by default', () => {
    expect(settings(base).minNodes).toBe(1);
    expect(settings([...base, '--min-nodes', '2']).minNodes).toBe(2);
    expect(settings(base, { WITNESS_TRAP_MIN_NODES: '2' }).minNodes).toBe(2);
  });

  it('refuses more than the nodes configured, and a floor that is not a whole number from 1', () => {
    expect(problems([...base, '--min-nodes', '3'])).toEqual([
      expect.stringMatching(/--min-nodes 3 is more than the 2 RPC nodes configured/),
    ]);
    expect(problems([...base, '--min-nodes', '0']).join(' ')).toMatch(/min-nodes/);
  });
});
