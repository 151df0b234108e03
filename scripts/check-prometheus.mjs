// The shipped Prometheus files with the real tool, run after `pnpm build` with promtool on PATH (.ci/run installs
// Debian's prometheus package where it is missing): `promtool check rules` and `promtool test rules` (a unit test per
// alert, firing and not), `promtool check config` on the example scrape job, then `promtool check metrics` on a live
// scrape of `/metrics` from the built CLI's `witness-trap run --daemon` watching a simulated chain, which must also
// show every metric the rules name.
// Usage: pnpm build && node scripts/check-prometheus.mjs
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './public-packages.mjs';

const PROMETHEUS = join(ROOT, 'examples', 'prometheus');
const failures = [];

/**
 * Runs promtool and records a failure unless it exits 0.
 * @param {string[]} args
 * @param {{ input?: string, cwd?: string }} [options]
 */
function promtool(args, { input, cwd = PROMETHEUS } = {}) {
  console.log(`$ promtool ${args.join(' ')}`);
  const result = spawnSync('promtool', args, { cwd, input, encoding: 'utf8' });
  if (result.error) throw result.error;
  const output = `${result.stdout}${result.stderr}`.trim();
  if (output) console.log(output);
  if (result.status !== 0) failures.push(`promtool ${args.join(' ')}: exit ${result.status}`);
  return result;
}

/** A free loopback port. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

promtool(['check', 'rules', 'witness-trap.rules.yml']);
promtool(['test', 'rules', 'witness-trap.rules.test.yml']);
promtool(['check', 'config', 'prometheus.yml']);

// The metric names the rules read (label matchers, ranges, grouping clauses and strings removed first).
const rules = parse(readFileSync(join(PROMETHEUS, 'witness-trap.rules.yml'), 'utf8')).groups.flatMap((g) => g.rules);
const words = new Set('absent increase rate max min sum by without on ignoring time and or unless bool'.split(' '));
const named = new Set(
  rules.flatMap((rule) =>
    (
      String(rule.expr)
        .replace(/\{[^}]*\}/g, ' ')
        .replace(/\[[^\]]*\]/g, ' ')
        .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
        .match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []
    ).filter((word) => !words.has(word) && word !== 'up'),
  ),
);

const { startSimnet } = await import(join(ROOT, 'packages', 'simnet', 'dist', 'index.js'));
const work = mkdtempSync(join(tmpdir(), 'witness-trap-check-prometheus-'));
const sim = await startSimnet({ blockIntervalMs: 300, backupKeys: 1, witnesses: 5 });
/** @type {import('node:child_process').ChildProcess | undefined} */
let trap;
try {
  const me = sim.witnesses[0];
  const backupKey = me.backupKeys[0].publicKey;
  const keyFile = join(work, 'signing.keys');
  writeFileSync(keyFile, `${me.privateKey}\n`);
  chmodSync(keyFile, 0o600);
  const port = await freePort();
  const args = [
    join(ROOT, 'packages', 'cli', 'dist', 'bin.js'),
    'run',
    '--daemon',
    '--witness',
    me.name,
    '--node',
    sim.url,
    '--chain-id',
    sim.chainId,
    '--block-interval',
    '300',
    '--backup-key',
    backupKey,
    '--signing-keys-file',
    keyFile,
    '--health',
    `${backupKey}=${sim.nodeHealthUrl(backupKey)}`,
    '--state',
    join(work, 'state.json'),
    '--metrics',
    `127.0.0.1:${port}`,
    '--json',
  ];
  console.log(`$ node ${args.join(' ')}`);
  trap = spawn(process.execPath, args, { cwd: work, env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore' });
  let text = '';
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch {
      continue;
    }
    if (/^witness_trap_armed\{.*\} 1$/m.test(text) && /^witness_trap_backup_up\{/m.test(text)) break;
  }
  if (!/^witness_trap_armed\{.*\} 1$/m.test(text)) failures.push(`the trap did not arm within 30 s:\n${text}`);
  else {
    console.log(`scraped ${text.split('\n').length} lines from a running trap`);
    const live = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    for (const name of named)
      if (!live.has(name)) failures.push(`the rules read ${name}, which /metrics does not show`);
    promtool(['check', 'metrics'], { input: text });
  }
} finally {
  trap?.kill('SIGTERM');
  await sim.stop();
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\nPrometheus check failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\nPrometheus: rules valid and unit-tested, a live /metrics passes promtool check metrics');
