/**
 * The ways to get witness-trap running before the first release (issue 21 item 10): `pnpm witness-trap <command>`
 * in a clone right after `pnpm install` (no build), and the container image, whose Dockerfile is checked here where
 * no Docker engine runs (.ci/run builds and runs it where one does).
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const rootPackage = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  packageManager: string;
  engines: { node: string };
};

/** Runs the root `witness-trap` script's command as pnpm would: from the root, with INIT_CWD where it was typed. */
function fromClone(
  args: string[],
  cwd: string,
  onStdoutLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [node, script] = (rootPackage.scripts['witness-trap'] ?? '').split(' ');
  expect(node).toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, script ?? ''), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', INIT_CWD: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onStdoutLine?.(line, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const setUp = operatorPerTest();

describe('pnpm witness-trap in a clone, no build', () => {
  it('runs the CLI from its sources in the folder it was typed in (.env there), against the simulated chain', async () => {
    // No micro-forks: this is about running from a clone. The status run spans a second or more (tsx compiles the
    // sources), several of the witness's slots at 200 ms blocks; one whose block a fork orphaned in that window made
    // status rightly say MISSING BLOCKS (exit 2), which failed CI once.
    const op = await setUp(undefined, undefined, { microForkRate: 0 });
    const dotenv = join(op.dir, '.env');
    writeFileSync(dotenv, `WITNESS_TRAP_WITNESS=${op.me.name}\nWITNESS_TRAP_BACKUP_KEY=${op.backupKey}\n`);
    chmodSync(dotenv, 0o600);
    const flags = op.runFlags.filter((_, i, all) => all[i] !== '--witness' && all[i - 1] !== '--witness');
    const result = await fromClone(['status', ...flags, '--json'], op.dir);
    // No state file in that folder: the verdict says so (exit 1); the rest of the view is read from the chain.
    expect(result.code, result.stderr + result.stdout).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      witness: op.me.name,
      signingKey: op.me.signingKey,
      nextBackupKey: op.backupKey,
      verdict: { state: 'TRAP NOT RUNNING' },
    });
  }, 60_000);

  it('passes a supervisor SIGTERM on: the daemon stops cleanly and exits 0', async () => {
    const op = await setUp();
    const result = await fromClone(
      ['run', ...op.runFlags, '--daemon', '--json', '--state', join(op.dir, 's.json')],
      op.dir,
      (line, kill) => {
        if (line.includes('"event":"armed"')) kill('SIGTERM');
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).map((record) => record.event)).toEqual(
      expect.arrayContaining(['armed', 'stopping']),
    );
  }, 60_000);
});

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const of = (name: string) => instructions.filter((line) => line.startsWith(`${name} `));

  it('builds with the pinned pnpm, a Node line engines promise, and scripts that exist', () => {
    const pnpm = rootPackage.packageManager.split('@')[1];
    expect(of('RUN').join('\n')).toContain(`pnpm@${pnpm}`);
    for (const from of of('FROM')) {
      const major = /node:(\d+)/.exec(from)?.[1];
      expect(rootPackage.engines.node, from).toContain(`^${major}.`);
    }
    const scripts = of('RUN').flatMap((line) => [...line.matchAll(/pnpm (\w[\w:-]*)/g)].map((match) => match[1]));
    for (const script of scripts.filter((name) => !['install'].includes(name ?? ''))) {
      expect(Object.keys(rootPackage.scripts), `pnpm ${script}`).toContain(script);
    }
    expect(of('RUN').join('\n')).toContain('--frozen-lockfile');
  });

  it("runs the built CLI's installed entry as a non-root user, with its state on a volume", () => {
    const user = of('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    const entry = JSON.parse((of('ENTRYPOINT').at(-1) ?? '').slice('ENTRYPOINT '.length)) as string[];
    expect(entry[0]).toBe('node');
    const bin = (entry[1] ?? '').replace(/^\/app\//, '');
    // The entry is the published bin, which loads dist/bin.js: what `pnpm build` (tsup, entry src/bin.ts) writes.
    expect(JSON.parse(read('packages/cli/package.json')).bin['witness-trap']).toBe(
      `./${bin.replace('packages/cli/', '')}`,
    );
    expect(read(bin)).toContain("import '../dist/bin.js'");
    expect(read('packages/cli/tsup.config.ts')).toContain("'src/bin.ts'");
    expect(of('VOLUME').join('\n')).toContain('/state');
  });

  it('keeps secrets, host installs and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const pattern of ['.env', '**/node_modules', '**/dist', '.git']) expect(ignored).toContain(pattern);
  });

  it('has the docker run line in the docs that .ci/run runs where Docker exists', () => {
    const docs = read('docs/operations.md');
    expect(docs).toContain('docker build -t witness-trap .');
    expect(docs).toMatch(/docker run [^\n]*--read-only[^\n]*--tmpfs \/tmp[^\n]*witness-trap demo/);
    expect(docs).toMatch(/--user "\$\(id -u\):\$\(id -g\)"/);
    const ci = read('.ci/run');
    expect(ci).toContain('docker info');
    expect(ci).toMatch(/docker run --rm --read-only --tmpfs \/tmp witness-trap:ci demo/);
  });
});
