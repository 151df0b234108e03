/**
 * Private keys come from files (or the environment), never from flags. A key file that group or others could read
 * is refused before it is even opened, with the chmod that fixes it; no key text ever appears in a message.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Settings } from './config.js';
import { wifToPublicKey } from './hive-keys.js';

/** The private keys the CLI hands to the key ring, and the public keys they stand for. */
export interface LoadedKeys {
  /** WIF signing keys, from --signing-keys-file then WITNESS_TRAP_SIGNING_KEYS. Secret. */
  signingKeys: string[];
  /** WIF active key, where configured. Secret. */
  activeKey?: string;
  /** The public keys of `signingKeys`, same order. */
  signingPublicKeys: string[];
  /** The public key of `activeKey`. */
  activePublicKey?: string;
}

/** Every way the configured keys cannot be used, one line each, naming the file (and line) and the fix. */
export interface KeyLoad {
  keys: LoadedKeys;
  problems: string[];
}

/**
 * Reads the key files and key variables of `settings`. Never throws for a bad key: returns the problems so that
 * `check` can list them beside every other one.
 */
export function loadKeys(settings: Settings): KeyLoad {
  const problems: string[] = [];
  const signingKeys: string[] = [];
  const signingPublicKeys: string[] = [];
  const take = (wif: string, where: string, into: 'signing' | 'active'): string | undefined => {
    const publicKey = wifToPublicKey(wif);
    if (!publicKey) {
      problems.push(`${where}: not a valid WIF private key (51 characters starting with 5, checksum intact)`);
      return undefined;
    }
    if (into === 'signing' && !signingPublicKeys.includes(publicKey)) {
      signingKeys.push(wif);
      signingPublicKeys.push(publicKey);
    }
    return publicKey;
  };

  if (settings.signingKeysFile) {
    const lines = readKeyFile(
      settings.signingKeysFile,
      '--signing-keys-file',
      problems,
      settings.env.CREDENTIALS_DIRECTORY,
    );
    for (const { text, line } of lines) {
      take(text, `--signing-keys-file ${settings.signingKeysFile} line ${line}`, 'signing');
    }
  }
  if (settings.signingKeysEnv) {
    const entries = settings.signingKeysEnv.split(/[\s,]+/).filter((text) => text !== '');
    for (const [index, text] of entries.entries()) {
      take(text, `WITNESS_TRAP_SIGNING_KEYS entry ${index + 1}`, 'signing');
    }
  }

  let activeKey: string | undefined;
  let activePublicKey: string | undefined;
  const activeSources: Array<{ text: string; where: string }> = [];
  if (settings.activeKeyFile) {
    const lines = readKeyFile(
      settings.activeKeyFile,
      '--active-key-file',
      problems,
      settings.env.CREDENTIALS_DIRECTORY,
    );
    if (lines.length > 1) {
      problems.push(`--active-key-file ${settings.activeKeyFile}: holds ${lines.length} keys; put exactly one in it`);
    }
    const first = lines[0];
    if (first) activeSources.push({ text: first.text, where: `--active-key-file ${settings.activeKeyFile}` });
  }
  if (settings.activeKeyEnv)
    activeSources.push({ text: settings.activeKeyEnv.trim(), where: 'WITNESS_TRAP_ACTIVE_KEY' });
  const active = activeSources[0];
  if (activeSources.length > 1) {
    problems.push('both --active-key-file and WITNESS_TRAP_ACTIVE_KEY are set: keep one');
  } else if (active) {
    activePublicKey = take(active.text, active.where, 'active');
    if (activePublicKey) activeKey = active.text;
  }
  return { keys: { signingKeys, signingPublicKeys, activeKey, activePublicKey }, problems };
}

/** The key lines of a file (blank lines and `#` comments skipped), after the permission check. */
function readKeyFile(
  path: string,
  option: string,
  problems: string[],
  credentialsDirectory: string | undefined,
): Array<{ text: string; line: number }> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      `${option} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`}; fix the path`,
    );
    return [];
  }
  const exposed = exposure(mode, path, option, credentialsDirectory);
  if (exposed) {
    problems.push(exposed);
    return [];
  }
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${option} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code}); check its owner`);
    return [];
  }
  const lines = content
    .split(/\r?\n/)
    .map((raw, index) => ({ text: raw.replace(/#.*$/, '').trim(), line: index + 1 }))
    .filter(({ text }) => text !== '');
  if (lines.length === 0) problems.push(`${option} ${path}: holds no key; put one WIF per line`);
  return lines;
}

/**
 * The refusal for a file holding secrets that group or others may read (or write), with the chmod that fixes it;
 * `undefined` where its mode is private (or on Windows, which has no such mode bits).
 *
 * A systemd credential (a file directly in `$CREDENTIALS_DIRECTORY`) is written 0400 by root and opened to the
 * service's user with a POSIX ACL entry, whose mask `stat` reports in the group bits (mode 0440) although no group
 * can read it; systemd's own read-only mount is the guarantee there, so only bits for others refuse it.
 */
export function exposure(mode: number, path: string, label: string, credentialsDirectory?: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const isCredential = credentialsDirectory !== undefined && dirname(resolve(path)) === resolve(credentialsDirectory);
  if ((mode & (isCredential ? 0o007 : 0o077)) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `${label} ${path}: readable by group or others (mode ${octal}); refusing to use it: run chmod 600 ${path}`;
}
