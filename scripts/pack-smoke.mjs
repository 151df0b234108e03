// Pack-and-install test, run after `pnpm build`: packs every public package as `pnpm publish` would, installs the
// tarballs into an empty folder outside the workspace, and runs what a new user runs first: `npx witness-trap --help`,
// `keygen` (loads dhive), `demo` (the whole failover on the simulated chain, wax included), an import and a
// `require()` of every export of every package. Catches a missing file in `files`, a dependency that only the
// workspace provided, a broken bin, an export that does not load, and anything on stderr that is not witness-trap's
// own (a dependency's deprecation or experimental warning: the CLI promises JSON lines off a terminal).
//
// The steps run under every Node that CI tests (CI_NODE_BINARIES, paths separated by ':', set by .ci/run;
// default: this Node), each first on PATH so that npx and the bin's `#!/usr/bin/env node` use it.
//
// The install is offline: the tarballs by path, third-party packages from pnpm's store (filled by the workspace's
// own `pnpm install`). If the store's metadata cache cannot resolve a range offline (a CI cache restored without
// it), it falls back to --prefer-offline, which asks the npm registry only for what is missing, and says so.
// Usage: pnpm build && pnpm test:pack [--keep]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { missingBuildOutputs, pack, publicPackages, run, testNodes } from './public-packages.mjs';

const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'witness-trap-pack-smoke-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
/** @type {string[]} */
const failures = [];

/**
 * Runs one step in the installed app under `node` and records a failure unless it exits 0, its output matches, and
 * every line it wrote to stderr is witness-trap's own (`witness-trap: ...`, or a `--json` line).
 * @param {string} node
 * @param {string} label
 * @param {string} command
 * @param {string[]} args
 * @param {RegExp} expected
 * @param {number} [timeoutMs]
 */
function expectStep(node, label, command, args, expected, timeoutMs = 60_000) {
  // As a user's shell has it: without the npm_config_* settings pnpm passes to scripts (npx would warn about them).
  const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name)));
  const env = { ...shell, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const result = run(command === 'node' ? node : command, args, { cwd: app, quiet: true, timeoutMs, env });
  const output = result.stdout + result.stderr;
  const foreign = result.stderr.split('\n').filter((line) => line.trim() !== '' && !isOwnStderrLine(line));
  if (result.status !== 0 || !expected.test(output)) {
    failures.push(`${label}: exit ${result.status}, expected output matching ${expected}\n${output.slice(-2000)}`);
  } else if (foreign.length > 0) {
    failures.push(`${label}: stderr lines that are not witness-trap's:\n${foreign.join('\n')}`);
  } else {
    console.log(`  ok: ${label}`);
  }
}

/**
 * A line witness-trap itself writes to stderr: its notes (`witness-trap: ...`) or a JSON log line.
 * @param {string} line
 */
function isOwnStderrLine(line) {
  if (line.startsWith('witness-trap: ')) return true;
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

try {
  const packages = publicPackages();
  const unbuilt = packages.filter((pkg) => missingBuildOutputs(pkg).length > 0).map((pkg) => pkg.name);
  if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.join(', ')}: run pnpm build first`);

  mkdirSync(tarballs);
  mkdirSync(app);
  const specs = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pack(pkg, tarballs)}`]));
  // Each package depends on its siblings by version (pnpm pack turned workspace:* into 0.0.0), which the
  // registry does not have: the overrides point those at the tarballs too.
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      { name: 'pack-smoke', private: true, type: 'module', dependencies: specs, pnpm: { overrides: specs } },
      null,
      2,
    )}\n`,
  );

  const install = ['install', '--ignore-workspace', '--no-frozen-lockfile', '--reporter=append-only'];
  let installed = run('pnpm', [...install, '--offline'], { cwd: app, quiet: true });
  if (installed.status !== 0) {
    console.log(`offline install failed, retrying with --prefer-offline:\n${installed.stdout.slice(-1500)}`);
    installed = run('pnpm', [...install, '--prefer-offline'], { cwd: app, quiet: true });
  }
  if (installed.status !== 0) throw new Error(`install failed:\n${installed.stdout}${installed.stderr}`);

  for (const [index, node] of testNodes().entries()) {
    const version = run(node, ['--version'], { quiet: true }).stdout.trim();
    console.log(`\nunder Node ${version} (${node})`);
    const at = (label) => `${label} [node ${version}]`;
    expectStep(
      node,
      at('npx witness-trap --help'),
      'npx',
      ['--no', '--', 'witness-trap', '--help'],
      /Usage: witness-trap/,
    );
    expectStep(
      node,
      at('npx witness-trap keygen'),
      'npx',
      ['--no', '--', 'witness-trap', 'keygen'],
      /STM[1-9A-HJ-NP-Za-km-z]{50}/,
    );
    // Exit 0 from demo means: the switch was broadcast and confirmed on the simulated chain. At its default block
    // interval (what a newcomer sees) under the first Node; faster under the others, the same story in a quarter of
    // the time (the suite's node-versions test runs it so under every Node too).
    const demo = ['--no', '--', 'witness-trap', 'demo', '--json', ...(index === 0 ? [] : ['--block-interval', '100'])];
    expectStep(node, at('npx witness-trap demo'), 'npx', demo, /confirmed/i, 120_000);

    for (const pkg of packages) {
      for (const subpath of Object.keys(pkg.manifest.exports ?? { '.': null })) {
        if (subpath.endsWith('.json')) continue;
        const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
        const probe = `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(3); console.log(Object.keys(m).length + ' exports');`;
        expectStep(node, at(`import ${specifier}`), 'node', ['--input-type=module', '-e', probe], /\d+ exports/);
        // require() of an ES module (the `module-sync` export condition): every Node in engines can.
        const required = `const m = require(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(3); console.log(Object.keys(m).length + ' exports');`;
        expectStep(node, at(`require ${specifier}`), 'node', ['--input-type=commonjs', '-e', required], /\d+ exports/);
      }
    }
  }
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\npack smoke test failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\npack smoke test: the packed packages install and run in an empty folder');
