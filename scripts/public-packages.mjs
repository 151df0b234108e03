// The workspace's publishable packages, and packing them the way `pnpm publish` would (workspace: ranges replaced
// by versions, publishConfig overrides applied), for the release checks in check-packages.mjs and pack-smoke.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (this file lives in <root>/scripts). */
export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

/**
 * Every package under packages/ that is not private, in a stable order.
 * @returns {{ dir: string, name: string, manifest: Record<string, any> }[]}
 */
export function publicPackages() {
  const base = join(ROOT, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { dir, name: manifest.name, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A tool installed at the workspace root (so the scripts also work when run with plain `node`, outside pnpm).
 * @param {string} name
 */
export function localBin(name) {
  return join(ROOT, 'node_modules', '.bin', name);
}

/**
 * Runs a command, echoing it; returns its exit status and captured output (inherits it when `quiet` is false).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, quiet?: boolean, timeoutMs?: number, env?: NodeJS.ProcessEnv }} [options]
 */
export function run(command, args, { cwd = ROOT, quiet = false, timeoutMs = 300_000, env = process.env } = {}) {
  console.log(`$ ${[command, ...args].join(' ')}${cwd === ROOT ? '' : `   (in ${cwd})`}`);
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    timeout: timeoutMs,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/**
 * The files the built package must have before it can be packed: every target of `exports`, `main`, `types` and
 * `bin`. Missing ones mean `pnpm build` has not run (or a tsup entry is missing).
 * @param {{ dir: string, manifest: Record<string, any> }} pkg
 */
export function missingBuildOutputs(pkg) {
  return manifestTargets(pkg.manifest)
    .filter((target) => !target.startsWith('./src/'))
    .filter((target) => !existsSync(join(pkg.dir, target)));
}

/**
 * Every file path a manifest points at (exports at any depth, main, types, bin), as written (`./dist/index.js`).
 * @param {Record<string, any>} manifest
 * @returns {string[]}
 */
export function manifestTargets(manifest) {
  const targets = new Set();
  const walk = (value) => {
    if (typeof value === 'string') targets.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.types);
  walk(typeof manifest.bin === 'string' ? manifest.bin : manifest.bin && Object.values(manifest.bin));
  return [...targets].map((target) => (target.startsWith('./') ? target : `./${target}`));
}

/**
 * Packs a package with `pnpm pack` into `destination` and returns the tarball's path.
 * @param {{ dir: string, name: string }} pkg
 * @param {string} destination
 */
export function pack(pkg, destination) {
  const result = run('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir, quiet: true });
  if (result.status !== 0) throw new Error(`pnpm pack failed for ${pkg.name}:\n${result.stderr}${result.stdout}`);
  const tarball = result.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .findLast((line) => line.endsWith('.tgz'));
  if (tarball === undefined || !existsSync(tarball)) {
    throw new Error(`pnpm pack for ${pkg.name} did not report a tarball:\n${result.stdout}`);
  }
  return tarball;
}

/**
 * The Node binaries CI tests with: `CI_NODE_BINARIES` (paths separated by `:`, set by .ci/run), else only the
 * one running this script.
 * @returns {string[]}
 */
export function testNodes() {
  const listed = (process.env.CI_NODE_BINARIES ?? '').split(':').filter(Boolean);
  return listed.length > 0 ? listed : [process.execPath];
}
