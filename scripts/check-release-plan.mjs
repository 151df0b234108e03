// The release plan as `changeset version` would carry it out (`changeset status --output`): fails if it bumps a
// package to a new major that no changeset asked for. Changesets bumps a package major on its own where a peer
// dependency's new version leaves the peer range (see .changeset/config.json); for packages at 0.x that would be an
// unintended 1.0.0. Also prints the plan, so CI's log shows what the next release would publish.
// Usage: node scripts/check-release-plan.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBin, run } from './public-packages.mjs';

/** Runs git quietly; whether it exited 0. @param {string[]} args */
function gitOk(args) {
  return spawnSync('git', args, { stdio: 'ignore' }).status === 0;
}

const work = mkdtempSync(join(tmpdir(), 'witness-trap-release-plan-'));
const planFile = join(work, 'plan.json');
/** @type {{ changesets: { id: string, releases: { name: string, type: string }[] }[], releases: { name: string, type: string, oldVersion: string, newVersion: string, changesets: string[] }[] }} */
let plan;
// Changesets compares with the base branch (main): a clone of another branch has it only as origin/main.
if (
  !gitOk(['rev-parse', '--verify', '--quiet', 'refs/heads/main']) &&
  gitOk(['rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main'])
) {
  console.log('no local main branch: creating it from origin/main for changesets');
  gitOk(['branch', '--no-track', 'main', 'origin/main']);
}
try {
  const status = run(localBin('changeset'), ['status', `--output=${planFile}`], { quiet: true });
  if (status.status !== 0) {
    console.error(`changeset status failed:\n${status.stdout}${status.stderr}`);
    process.exit(1);
  }
  plan = JSON.parse(readFileSync(planFile, 'utf8'));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const askedMajor = new Set(
  plan.changesets.flatMap((changeset) => changeset.releases.filter((r) => r.type === 'major').map((r) => r.name)),
);
const failures = [];
for (const release of plan.releases) {
  if (release.type === 'none') continue;
  console.log(`  ${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
  const major = (version) => Number(version.split('.')[0]);
  if (major(release.newVersion) > major(release.oldVersion) && !askedMajor.has(release.name)) {
    failures.push(
      `${release.name} would go ${release.oldVersion} -> ${release.newVersion}, a major no changeset asked for ` +
        '(a peer range its dependency leaves? widen the range, see .changeset/config.json)',
    );
  }
}
if (failures.length > 0) {
  console.error(`\nrelease plan check failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\nrelease plan: no major that a changeset did not ask for');
