/**
 * Runs the CLI as a child process, the way an operator does. The CLI and the workspace packages are bundled from
 * their TypeScript sources into a temporary folder (esbuild through tsup, ~1 s), with every third-party package
 * left external at its absolute installed path. So the tests need no prior `pnpm build` and never read a dist/
 * that another build might be rewriting.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const SOURCE = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let built: Promise<string> | undefined;

/** Bundles the CLI once per test file and resolves to the path of its `bin.js`. */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'witness-trap-cli-'));
    await build({
      entry: { bin: SOURCE },
      outDir,
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      splitting: true,
      dts: false,
      sourcemap: false,
      silent: true,
      config: false,
      noExternal: [/^@witness-trap\//],
      esbuildOptions(options) {
        options.conditions = ['source'];
      },
      esbuildPlugins: [
        {
          name: 'external-at-installed-path',
          setup(esbuild) {
            esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
              if (args.pluginData === 'resolving' || args.path.startsWith('@witness-trap/')) return undefined;
              if (args.path.startsWith('node:')) return { path: args.path, external: true };
              const resolved = await esbuild.resolve(args.path, {
                kind: args.kind,
                resolveDir: args.resolveDir,
                importer: args.importer,
                pluginData: 'resolving',
              });
              if (resolved.errors.length > 0) return { path: args.path, external: true };
              return { path: resolved.path, external: true };
            });
          },
        },
      ],
    });
    return join(outDir, 'bin.js');
  })();
  return built;
}

/** What one CLI run did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCli}. */
export interface RunOptions {
  cwd?: string;
  /** The whole environment of the child (nothing is inherited but PATH). */
  env?: Record<string, string>;
  /** The Node binary that runs the CLI. @default process.execPath */
  node?: string;
  /** Kill the child (SIGTERM) after this long. @default 15000 */
  timeoutMs?: number;
  /**
   * Called with each stderr chunk, e.g. to send a signal once something was printed. The `child` given here sends
   * each signal at most once: a test that matches on everything printed so far would otherwise send a second SIGTERM
   * with each later chunk (the "stopping" line), and the CLI rightly treats a second one as "stop now" (exit 143), or
   * dies of it while tearing down (code null).
   */
  onStderr?: (chunk: string, child: { kill(signal: NodeJS.Signals): void }) => void;
  /** Called with each complete stdout line (JSON lines with --json); `child` as for `onStderr`. */
  onStdoutLine?: (line: string, child: { kill(signal: NodeJS.Signals): void }) => void;
}

/** Runs `witness-trap <args>` and resolves when it exits. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const bin = await buildCli();
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [bin, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const sent = new Set<NodeJS.Signals>();
    const once = {
      kill(signal: NodeJS.Signals): void {
        if (sent.has(signal)) return;
        sent.add(signal);
        child.kill(signal);
      },
    };
    const timer = setTimeout(() => once.kill('SIGTERM'), options.timeoutMs ?? 15_000);
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStdoutLine?.(line, once);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(chunk.toString(), once);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
