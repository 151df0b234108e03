import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPublicKey, wifToPublicKey } from '../src/hive-keys.js';
import { buildCli, runCli } from './harness.js';

beforeAll(async () => {
  await buildCli();
}, 60_000);

describe('the built CLI, offline', () => {
  it('prints help for the CLI and for each command, and exits 0', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/Usage: witness-trap <command>/);
    const run = await runCli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--backup-key PUB/);
    expect(run.stdout).toMatch(/WITNESS_TRAP_SIGNING_KEYS/);
  });

  it('generates a valid key pair: the private key on stdout only, a warning on stderr', async () => {
    const result = await runCli(['keygen', '--json']);
    expect(result.code).toBe(0);
    const pair = JSON.parse(result.stdout) as { publicKey: string; privateKey: string };
    expect(isPublicKey(pair.publicKey)).toBe(true);
    expect(wifToPublicKey(pair.privateKey)).toBe(pair.publicKey);
    expect(result.stderr).not.toContain(pair.privateKey);
    expect(result.stderr).toMatch(/shown once/);
  });

  it('rejects an unknown command and unknown options with exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const result = await runCli(['keygen', '--witness', 'alice']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--witness is not an option of keygen/);
  });

  it('refuses a key file readable by others with exit 2 and the chmod to fix it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wt-perm-'));
    const keys = join(cwd, 'signing.keys');
    writeFileSync(keys, '5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw\n');
    chmodSync(keys, 0o644);
    const result = await runCli(
      [
        'check',
        '--witness',
        'alice',
        '--node',
        'http://127.0.0.1:9',
        '--backup-key',
        'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM',
        '--signing-keys-file',
        keys,
      ],
      { cwd },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`run chmod 600 ${keys}`);
    expect(result.stderr).not.toContain('5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw');
  });

  it('mounts the simulated chain as witness-trap simnet, which stops cleanly on SIGTERM', async () => {
    let announced: { url?: string; chainId?: string } = {};
    const result = await runCli(['simnet', '--json', '--port', '0', '--block-interval', '500'], {
      onStdoutLine: (line, child) => {
        if (announced.url) return;
        announced = JSON.parse(line) as typeof announced;
        child.kill('SIGTERM');
      },
    });
    expect(announced.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(announced.chainId).toMatch(/^[0-9a-f]{64}$/);
    expect(result.code).toBe(0);
  });
});
