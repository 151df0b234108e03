/**
 * `pnpm test:reliability`: runs every reliability scenario (the quick ones `pnpm test` also runs, and the long ones:
 * soak, the whole kill -9 matrix), runs `pnpm audit --prod`, and writes docs/reliability.md from what happened:
 * per scenario, what was injected, what happened (with figures), pass or fail. Exits 1 when a scenario failed or a
 * scenario file did not run. The page itself is built by report-render.ts, from this run's results only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FindingLine, renderReport, type VitestJson } from './report-render.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wt-reliability-report-'));
const findingsFile = join(work, 'findings.jsonl');
const resultsFile = join(work, 'results.json');
writeFileSync(findingsFile, '');

const started = Date.now();
const vitest = spawnSync(
  'pnpm',
  [
    'vitest',
    'run',
    '--config',
    'packages/reliability/vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RELIABILITY_FINDINGS: findingsFile, RELIABILITY_FUZZ_RUNS: '3000' },
  },
);
const wallSeconds = Math.round((Date.now() - started) / 1000);

const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as VitestJson;
const findings = readFileSync(findingsFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FindingLine);

const audit = spawnSync('pnpm', ['audit', '--prod', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const auditSummary = summarizeAudit(audit.stdout ?? '', audit.stderr ?? '');

const report = renderReport({
  root,
  results,
  findings,
  scenarioFiles: scenarioFiles(),
  run: `${new Date().toISOString()}, ${wallSeconds} s wall time, Node ${process.version}, ${process.platform}/${process.arch}`,
  audit: auditSummary,
  knownIssues: readKnownIssues(),
});
writeFileSync(join(root, 'docs/reliability.md'), report.text);
console.log(`docs/reliability.md written (${results.numPassedTests}/${results.numTotalTests} passed)`);
if (report.notRun.length > 0) console.error(`scenario files that did not run: ${report.notRun.join(', ')}`);
process.exitCode = vitest.status === 0 && report.ok ? 0 : 1;

/** The scenario files the reliability config includes (`test/**\/*.test.ts`, `test/long/**\/*.long.ts`), sorted. */
function scenarioFiles(): string[] {
  const dir = join(root, 'packages/reliability/test');
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((name) => /\.test\.ts$/.test(name) || /^long\/.*\.long\.ts$/.test(name.split('\\').join('/')))
    .map((name) => relative(root, join(dir, name)))
    .sort();
}

/** One line on the audit: advisories by severity, or why there is no answer. */
function summarizeAudit(stdout: string, stderr: string): string {
  try {
    const parsed = JSON.parse(stdout) as {
      error?: { code?: string; message?: string };
      metadata?: { vulnerabilities?: Record<string, number> };
    };
    if (parsed.error) {
      return `no answer from the registry's audit endpoint (${parsed.error.code}: ${parsed.error.message}); not run`;
    }
    const counts = parsed.metadata?.vulnerabilities ?? {};
    const text = Object.entries(counts)
      .map(([severity, count]) => `${count} ${severity}`)
      .join(', ');
    return (counts.high ?? 0) + (counts.critical ?? 0) === 0 ? `clean of high/critical (${text})` : `**${text}**`;
  } catch {
    return `could not be read (${(stderr || stdout).trim().slice(0, 200)})`;
  }
}

/** The hand-written part: bugs found in the course of this work and what became of them. */
function readKnownIssues(): string {
  try {
    return `\n${readFileSync(fileURLToPath(new URL('../known-issues.md', import.meta.url)), 'utf8')}`;
  } catch {
    return '';
  }
}
