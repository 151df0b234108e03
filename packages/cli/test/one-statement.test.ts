/**
 * One metrics address and one Node-version statement, everywhere the docs and examples give one (issue 21 items 13
 * and 14), and `--metrics` alone serving on that address through the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_ADDRESS } from '../src/options.js';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Every file under `dir` (relative to the root) whose name passes `keep`. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name).slice(ROOT.length));
}

const DOCS = [
  'README.md',
  ...filesUnder('docs', (name) => name.endsWith('.md')),
  ...filesUnder('packages', (name) => name === 'README.md'),
];

/** engines' `^20.19.0 || ^22.12.0 || ^24.0.0` in words: `Node.js 20.19+, 22.12+ or 24`. */
function nodeStatement(engines: string): string {
  const lines = engines.split('||').map((range) => {
    const match = /^\s*\^(\d+)\.(\d+)\.\d+\s*$/.exec(range);
    if (!match) throw new Error(`engines range ${range} is not ^MAJOR.MINOR.PATCH`);
    return match[2] === '0' ? (match[1] as string) : `${match[1]}.${match[2]}+`;
  });
  return `Node.js ${lines.slice(0, -1).join(', ')} or ${lines.at(-1)}`;
}

const setUp = operatorPerTest();

describe('one metrics address', () => {
  it('is the only HOST:PORT for --metrics in the docs and examples', () => {
    const files = [...DOCS, ...filesUnder('examples', (name) => /\.(md|ya?ml|service|env|json)$/.test(name))];
    const found = files.flatMap((file) =>
      [...read(file).matchAll(/(?:127\.0\.0\.1|localhost|watcher|0\.0\.0\.0):(9\d{3})\b/g)].map(
        (match) => `${file}: ${match[0]}`,
      ),
    );
    expect(found.length).toBeGreaterThan(3);
    const port = DEFAULT_METRICS_ADDRESS.split(':')[1];
    expect(found.filter((hit) => !hit.endsWith(`:${port}`))).toEqual([]);
  });

  it('is where run --metrics alone serves /metrics and /healthz', async () => {
    const op = await setUp();
    const result = await runCli(
      ['run', ...op.runFlags, '--daemon', '--metrics', '--json', '--state', join(op.dir, 's.json')],
      {
        cwd: op.dir,
        timeoutMs: 30_000,
        onStdoutLine: (line, child) => {
          if (line.includes('"event":"armed"')) child.kill('SIGTERM');
        },
      },
    );
    const url = jsonLines(result.stdout).find((record) => record.event === 'metrics')?.url;
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(url).toBe(`http://${DEFAULT_METRICS_ADDRESS}`);
  }, 40_000);
});

// That every package.json promises the same engines is scripts/check-engines.mjs's (run by .ci/run).
describe('one Node-version statement', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const statement = nodeStatement(engines);

  it('is what every README and doc says where it names a minimum Node version', () => {
    expect(nodeStatement('^20.19.0 || ^22.12.0 || ^24.0.0')).toBe('Node.js 20.19+, 22.12+ or 24');
    const mentions = DOCS.flatMap((file) =>
      read(file)
        .split('\n')
        .filter((line) => /Node(\.js)?\s*(>=|≥)?\s*\d/.test(line) && /\b\d+\.\d+/.test(line) && !/Node v\d/.test(line))
        .map((line) => ({ file, line })),
    );
    for (const file of ['README.md', 'packages/cli/README.md', 'packages/core/README.md']) {
      expect(
        mentions.map((mention) => mention.file),
        `${file} states the Node versions`,
      ).toContain(file);
    }
    expect(mentions.filter((mention) => !mention.line.includes(statement))).toEqual([]);
  });
});
