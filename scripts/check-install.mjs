// A newcomer's first screen: installs the working tree (every file git tracks or would track, nothing ignored) into
// an empty folder with `pnpm install --frozen-lockfile` and fails on any warning in its output: a bin that points at
// a file a fresh clone does not have ("Failed to create bin", bins into dist/ before a build), a dependency whose
// install script nobody decided on (the "Ignored build scripts" box: decide in pnpm-workspace.yaml), a deprecated
// or mismatched dependency. Offline from pnpm's store, like pack-smoke.mjs, with the same --prefer-offline fallback.
// Usage: node scripts/check-install.mjs [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './public-packages.mjs';

/** What a clean install never prints. */
export const NOISE = [/\bWARN\b/, /Ignored build scripts/i, /approve-builds/, /Failed to create bin/i, /\bERR_PNPM/];

const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'witness-trap-check-install-'));
let failed = false;
try {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (files.status !== 0) throw new Error(`git ls-files failed: ${files.stderr}`);
  const copy = spawnSync('tar', ['--null', '--ignore-failed-read', '-cf', '-', '-T', '-'], {
    cwd: ROOT,
    input: files.stdout,
    maxBuffer: 1 << 30,
  });
  if (copy.status !== 0) throw new Error(`tar failed: ${copy.stderr}`);
  const unpack = spawnSync('tar', ['-xf', '-', '-C', work], { input: copy.stdout, maxBuffer: 1 << 30 });
  if (unpack.status !== 0) throw new Error(`untar failed: ${unpack.stderr}`);

  const install = ['install', '--frozen-lockfile', '--reporter=append-only'];
  let installed = run('pnpm', [...install, '--offline'], { cwd: work, quiet: true });
  if (installed.status !== 0) {
    console.log('offline install failed (store incomplete?), retrying with --prefer-offline');
    installed = run('pnpm', [...install, '--prefer-offline'], { cwd: work, quiet: true });
  }
  const output = `${installed.stdout}${installed.stderr}`;
  const noisy = output.split('\n').filter((line) => NOISE.some((pattern) => pattern.test(line)));
  if (installed.status !== 0) {
    failed = true;
    console.error(`pnpm install failed (exit ${installed.status}):\n${output}`);
  } else if (noisy.length > 0) {
    failed = true;
    console.error(`a fresh pnpm install is not clean:\n${noisy.map((line) => `  ${line.trim()}`).join('\n')}`);
    console.error('\nthe whole output:\n' + output);
  } else {
    console.log(output.trim().split('\n').slice(-3).join('\n'));
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('\ncheck-install: a fresh pnpm install prints no warning');
