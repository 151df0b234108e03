import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (chunk: string) => out.push(chunk) },
      stderr: { write: (chunk: string) => err.push(chunk) },
      env,
      cwd: mkdtempSync(join(tmpdir(), 'wt-main-')),
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('main', () => {
  it('prints the version from package.json', async () => {
    const run = io();
    expect(await main(['--version'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 without a command, and 0 for --help', async () => {
    expect(await main([], io().io)).toBe(2);
    expect(await main(['--help'], io().io)).toBe(0);
  });

  it('reports every configuration problem as one JSON record with --json, exit 2', async () => {
    const run = io({ WITNESS_TRAP_MISSES: 'lots' });
    const code = await main(['run', '--json', '--window', 'soon'], run.io);
    expect(code).toBe(2);
    const record = JSON.parse(run.stdout().trim()) as {
      event: string;
      code: string;
      problems: string[];
      exitCode: number;
    };
    expect(record).toMatchObject({ event: 'config-error', code: 'CONFIG_INVALID', exitCode: 2 });
    expect(record.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WITNESS_TRAP_MISSES: "lots"/),
        expect.stringMatching(/^--window: "soon"/),
        expect.stringMatching(/^--witness is required/),
        expect.stringMatching(/^--backup-key is required/),
      ]),
    );
  });

  it('says on stderr that nothing was broadcast when the configuration is wrong', async () => {
    const run = io();
    expect(await main(['switch', '--witness', 'alice', '--misses', '2'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/--misses is not an option of switch/);
    expect(run.stderr()).toMatch(/Nothing was broadcast/);
  });
});
