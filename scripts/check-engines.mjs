// `engines` says what CI tests, no more and no less: every package.json (the root, packages/*, examples) carries the
// same `engines.node`, a list of caret ranges (`^20.19.0 || ^22.12.0 || ^24.0.0`), one per Node line; each Node
// that CI runs (CI_NODE_BINARIES, set by .ci/run; default: this Node) satisfies one of them, and each of them is
// satisfied by one Node that CI runs. The lower bounds are where a line gained what the packages rely on
// (require() of ES modules without a flag: 20.19, 22.12).
// Usage: node scripts/check-engines.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run, testNodes } from './public-packages.mjs';

const manifests = [
  'package.json',
  'examples/package.json',
  ...readdirSync(join(ROOT, 'packages')).map((d) => `packages/${d}/package.json`),
]
  .filter((path) => existsSync(join(ROOT, path)))
  .map((path) => ({ path, engines: JSON.parse(readFileSync(join(ROOT, path), 'utf8')).engines?.node }));

/** @param {string} version like 22.23.5 */
const parse = (version) => version.replace(/^v/, '').split('.').map(Number);

/**
 * `^X.Y.Z`: same major, at least X.Y.Z.
 * @param {string} range
 * @param {string} version
 */
function satisfiesCaret(range, version) {
  const [major, minor, patch] = parse(range.slice(1));
  const [vMajor, vMinor, vPatch] = parse(version);
  if (vMajor !== major) return false;
  return vMinor > minor || (vMinor === minor && vPatch >= patch);
}

const failures = [];
const expected = manifests[0]?.engines;
for (const { path, engines } of manifests) {
  if (engines !== expected)
    failures.push(`${path}: engines.node is ${JSON.stringify(engines)}, the root's is ${JSON.stringify(expected)}`);
}
const ranges = String(expected ?? '')
  .split('||')
  .map((range) => range.trim());
for (const range of ranges) {
  if (!/^\^\d+\.\d+\.\d+$/.test(range))
    failures.push(`engines.node: "${range}" is not a caret range (^X.Y.Z), one per Node line`);
}
const tested = testNodes().map((binary) => run(binary, ['--version'], { quiet: true }).stdout.trim());
console.log(`engines.node: ${expected}\ntested: ${tested.join(', ')}`);
for (const version of tested) {
  if (!ranges.some((range) => satisfiesCaret(range, version)))
    failures.push(`CI runs Node ${version}, which engines does not allow`);
}
for (const range of ranges) {
  if (!tested.some((version) => satisfiesCaret(range, version)))
    failures.push(`engines allows ${range}, which CI does not test`);
}
if (failures.length > 0) {
  console.error(`\nengines check failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nengines: ${manifests.length} package.json files promise exactly the Node lines CI tests`);
