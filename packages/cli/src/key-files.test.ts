import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from './config.js';
import { loadKeys } from './key-files.js';

const WIF_A = '5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw';
const PUB_A = 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo';
const WIF_B = '5J9UWcHkESTdE8r6en96SKXy9Tg9URVz6RXq2C77xMe3DixkTfA';
const PUB_B = 'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM';

function keyFile(content: string, mode: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wt-keys-')), 'keys');
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function load(args: string[], env: Record<string, string> = {}) {
  const result = resolveSettings({ command: 'status', args: ['--witness', 'alice', ...args], env, cwd: tmpdir() });
  if (result.help) throw new Error('unexpected help');
  return loadKeys(result.settings);
}

describe('key files', () => {
  it('reads one WIF per line, skipping comments and blank lines', () => {
    const path = keyFile(`# primary\n${WIF_A}\n\n${WIF_B}  # backup\n`, 0o600);
    const { keys, problems } = load(['--signing-keys-file', path]);
    expect(problems).toEqual([]);
    expect(keys.signingPublicKeys).toEqual([PUB_A, PUB_B]);
  });

  it('refuses a key file readable by group or others, with the chmod that fixes it', () => {
    const path = keyFile(`${WIF_A}\n`, 0o644);
    const { keys, problems } = load(['--signing-keys-file', path]);
    expect(keys.signingKeys).toEqual([]);
    expect(problems).toEqual([
      `--signing-keys-file ${path}: readable by group or others (mode 0644); refusing to use it: run chmod 600 ${path}`,
    ]);
  });

  it('accepts a systemd credential, which stat shows as 0440 because of its ACL mask, but not one others can read', () => {
    const path = keyFile(`${WIF_A}\n`, 0o440);
    const credentials = { CREDENTIALS_DIRECTORY: dirname(path) };
    expect(load(['--signing-keys-file', path], credentials).problems).toEqual([]);
    chmodSync(path, 0o444);
    expect(load(['--signing-keys-file', path], credentials).problems.join()).toMatch(/chmod 600/);
    chmodSync(path, 0o440);
    expect(load(['--signing-keys-file', path]).problems.join()).toMatch(/mode 0440/);
  });

  it('names the line of a bad key without showing it', () => {
    const bad = `${WIF_A.slice(0, -2)}zz`;
    const path = keyFile(`${WIF_A}\n${bad}\n`, 0o400);
    const { problems } = load(['--signing-keys-file', path]);
    expect(problems).toEqual([
      `--signing-keys-file ${path} line 2: not a valid WIF private key (51 characters starting with 5, checksum intact)`,
    ]);
    expect(problems.join()).not.toContain(bad);
  });

  it('merges signing keys from the file and the environment, and takes the active key from the environment', () => {
    const path = keyFile(`${WIF_A}\n`, 0o600);
    const { keys, problems } = load(['--signing-keys-file', path], {
      WITNESS_TRAP_SIGNING_KEYS: `${WIF_B},${WIF_A}`,
      WITNESS_TRAP_ACTIVE_KEY: WIF_B,
    });
    expect(problems).toEqual([]);
    expect(keys.signingPublicKeys).toEqual([PUB_A, PUB_B]);
    expect(keys.activePublicKey).toBe(PUB_B);
  });

  it('reports a missing file and an empty one', () => {
    const empty = keyFile('# nothing yet\n', 0o600);
    const { problems } = load(['--signing-keys-file', '/nonexistent/keys', '--active-key-file', empty]);
    expect(problems).toEqual([
      '--signing-keys-file /nonexistent/keys: no such file; fix the path',
      `--active-key-file ${empty}: holds no key; put one WIF per line`,
    ]);
  });
});
