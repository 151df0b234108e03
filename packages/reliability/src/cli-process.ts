/**
 * The CLI as an operator runs it: a child process. It is bundled once per test process from its TypeScript sources
 * (the `source` export condition) into a temporary folder, workspace packages inlined and every third-party package
 * imported from where it is installed, so no `pnpm build` is needed and no dist/ another engineer is rebuilding is read.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'tsup';

const require = createRequire(import.meta.url);
let bundled: Promise<string> | undefined;

/** Bundles the CLI (once) and resolves to its `bin.js`. */
export function cliBin(): Promise<string> {
  bundled ??= bundleCli();
  return bundled;
}

async function bundleCli(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'wt-reliability-cli-'));
  const entry = require.resolve('witness-trap/package.json').replace(/package\.json$/, 'src/bin.ts');
  await build({
    entry: { bin: entry },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    splitting: true,
    dts: false,
    silent: true,
    config: false,
    noExternal: [/^@witness-trap\//, /^witness-trap$/],
    esbuildOptions(options) {
      options.conditions = ['source'];
    },
    esbuildPlugins: [
      {
        // The bundle lives in a temporary folder with no node_modules: point bare imports at their installed files.
        name: 'installed-packages',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === 'inner' || /^(@witness-trap\/|witness-trap$)/.test(args.path)) return undefined;
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            const found = await esbuild.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              importer: args.importer,
              pluginData: 'inner',
            });
            return { path: found.errors.length > 0 ? args.path : found.path, external: true };
          });
        },
      },
    ],
  });
  return join(outDir, 'bin.js');
}

/** A running `witness-trap` child. */
export interface CliChild {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** The JSON-lines records printed on stdout so far (with `--json`). */
  records(): Array<Record<string, unknown>>;
  /** Resolves with the first record for which `match` holds (checked on each new line). */
  waitForRecord(
    match: (record: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the child is gone. */
  exited: Promise<number | string>;
}

/** The children {@link startCli} started that have not exited yet. */
const live = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) every CLI child still running and resolves once they are gone: after a test, so that a daemon a
 * failed test left behind does not keep running beside the next tests (and load the machine they share).
 */
export async function killLiveClis(): Promise<void> {
  const gone = [...live].map((child) => new Promise<void>((resolve) => child.once('close', () => resolve())));
  for (const child of live) child.kill('SIGKILL');
  await Promise.all(gone);
}

/**
 * Starts `witness-trap <args>` with exactly `env` (plus PATH).
 * @example
 * const run = await startCli(['run', '--json', ...flags], { env: {} });
 * await run.waitForRecord((r) => r.event === 'broadcast');
 * run.child.kill('SIGKILL');
 */
export async function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const bin = await cliBin();
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  const records: Array<Record<string, unknown>> = [];
  const listeners = new Set<(record: Record<string, unknown>) => void>();
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        for (const listener of listeners) listener(record);
      } catch {
        // A line that is not JSON is not an event: it shows up in stdout() for the test to judge.
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  // What a timed-out wait says: the last events the CLI printed (what it was doing) and the end of its stderr.
  const lastWords = () =>
    `last events: ${
      records
        .slice(-8)
        .map((r) => String(r.message ?? r.event).slice(0, 200))
        .join(' | ') || 'none'
    }; stderr: ${err.slice(-500)}`;
  const running: CliChild = {
    child,
    stdout: () => out,
    stderr: () => err,
    records: () => records,
    exited,
    waitForRecord: (match, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const seen = records.find(match);
        if (seen !== undefined) {
          resolve(seen);
          return;
        }
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no matching record within ${timeoutMs} ms; ${lastWords()}`));
        }, timeoutMs);
        const listener = (record: Record<string, unknown>) => {
          if (!match(record)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(record);
        };
        listeners.add(listener);
        void exited.then(() => {
          if (!listeners.has(listener)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          reject(new Error(`the CLI exited before a matching record; ${lastWords()}`));
        });
      }),
  };
  return running;
}

/** Runs `witness-trap <args>` to the end (SIGTERM after `timeoutMs`). */
export async function runCliToEnd(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = await startCli(args, options);
  const timer = setTimeout(() => run.child.kill('SIGTERM'), options.timeoutMs ?? 15_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
