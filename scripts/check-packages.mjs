// Release check for every public package, run after `pnpm build`: publint --strict, arethetypeswrong on the tarball
// pnpm would publish (ESM-only profile: no CommonJS build; require() loads the ES modules through the `module-sync`
// condition on every Node in engines, which pack-smoke.mjs checks), and what neither tool looks at:
// no `workspace:` range left in the packed manifest, every path it names inside the tarball, publishConfig.exports
// in step with exports, every export in the API reference.
// Usage: pnpm build && pnpm check:packages
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBin, manifestTargets, missingBuildOutputs, pack, publicPackages, ROOT, run } from './public-packages.mjs';

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * `exports` as it must be published: the same map without the workspace-only `source` condition.
 * @param {unknown} value
 * @returns {unknown}
 */
function withoutSourceCondition(value) {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([condition]) => condition !== 'source')
      .map(([condition, target]) => [condition, withoutSourceCondition(target)]),
  );
}

/** @type {string[]} */
const failures = [];
/** @type {string[]} */
const warnings = [];
// The API reference documents what is exported: a new package or subpath must be added to typedoc.json (and the
// program in tsconfig.docs.json), or `pnpm run docs` would silently leave it out.
const typedocConfig = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8'));
const typedocEntryPoints = new Set(typedocConfig.entryPoints.map((path) => join(ROOT, path)));
const documentationRequired = new Set(typedocConfig.packagesRequiringDocumentation);
const docsProgram = new Set(
  JSON.parse(readFileSync(join(ROOT, 'tsconfig.docs.json'), 'utf8')).files.map((path) => join(ROOT, path)),
);

const work = mkdtempSync(join(tmpdir(), 'witness-trap-check-packages-'));

try {
  for (const pkg of publicPackages()) {
    console.log(`\n== ${pkg.name}`);
    for (const [subpath, conditions] of Object.entries(pkg.manifest.exports ?? {})) {
      const source = typeof conditions === 'object' && conditions !== null ? conditions.source : undefined;
      if (source === undefined) continue;
      const file = join(pkg.dir, source);
      if (!typedocEntryPoints.has(file) || !docsProgram.has(file)) {
        failures.push(`${pkg.name}: export ${subpath} (${source}) is not in typedoc.json and tsconfig.docs.json`);
      }
    }

    if (!documentationRequired.has(pkg.name)) {
      failures.push(`${pkg.name}: not in typedoc.json's packagesRequiringDocumentation (its TSDoc would go unchecked)`);
    }

    const missing = missingBuildOutputs(pkg);
    if (missing.length > 0) {
      failures.push(`${pkg.name}: not built (missing ${missing.join(', ')}): run pnpm build first`);
      continue;
    }

    if (run(localBin('publint'), ['--strict', pkg.dir]).status !== 0) failures.push(`${pkg.name}: publint --strict`);

    const tarball = pack(pkg, work);
    const unpacked = join(work, pkg.name.replace('/', '+'));
    mkdirSync(unpacked, { recursive: true });
    if (run('tar', ['-xzf', tarball, '-C', unpacked], { quiet: true }).status !== 0) {
      failures.push(`${pkg.name}: could not unpack ${tarball}`);
      continue;
    }
    const packedDir = join(unpacked, 'package');
    const packed = JSON.parse(readFileSync(join(packedDir, 'package.json'), 'utf8'));
    const files = new Set(
      run('tar', ['-tzf', tarball], { quiet: true })
        .stdout.split('\n')
        .filter(Boolean)
        .map((path) => `./${path.replace(/^package\//, '')}`),
    );

    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(packed[field] ?? {})) {
        if (String(range).startsWith('workspace:')) {
          failures.push(`${pkg.name}: packed ${field}.${name} is still "${range}"`);
        }
      }
    }
    // A condition pointing at a file that is not shipped (the workspace-only `source` condition, say) breaks any
    // consumer whose resolver matches that condition: Node and TypeScript do not fall back to the next one.
    for (const target of manifestTargets(packed)) {
      if (!files.has(target)) failures.push(`${pkg.name}: the packed manifest points at ${target}, not in the tarball`);
    }
    // publishConfig.exports repeats exports minus `source`: a subpath added to one and not the other would ship a
    // package that differs from the one every test ran against.
    const expected = JSON.stringify(withoutSourceCondition(pkg.manifest.exports));
    if (JSON.stringify(packed.exports) !== expected) {
      failures.push(`${pkg.name}: packed exports ${JSON.stringify(packed.exports)} differ from exports minus source`);
    }
    if (!files.has('./README.md')) warnings.push(`${pkg.name}: no README.md in the tarball (an empty npm page)`);
    if (!files.has('./LICENSE')) warnings.push(`${pkg.name}: no LICENSE in the tarball`);

    if (run(localBin('attw'), [tarball, '--profile', 'esm-only']).status !== 0) failures.push(`${pkg.name}: attw`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

for (const warning of warnings) console.warn(`warning: ${warning}`);
if (failures.length > 0) {
  console.error(`\ncheck:packages failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\ncheck:packages: every public package is clean');
