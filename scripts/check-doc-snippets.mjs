// Type-checks the TypeScript in the guides against the packages' current sources, so a guide cannot drift from the
// API it teaches. In the guides listed below, a ```ts block with an `import` line is a whole module and must compile
// as one; a block without imports is a fragment (it uses names from the surrounding prose) and is left alone.
// Errors are reported at their place in the Markdown file. Part of `pnpm run docs`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { localBin, publicPackages, ROOT, run } from './public-packages.mjs';

const docsDir = join(ROOT, 'docs');
// Guides written to this rule. (notifications.md shows fragments that import, e.g. a receiver's handler body.)
const GUIDES = ['getting-started.md', 'library.md'];
const work = mkdtempSync(join(tmpdir(), 'witness-trap-doc-snippets-'));

/** @type {Map<string, { doc: string, firstLine: number }>} snippet file name -> where it came from */
const origins = new Map();
for (const name of GUIDES) {
  const lines = readFileSync(join(docsDir, name), 'utf8').split('\n');
  let block;
  lines.forEach((line, index) => {
    if (block === undefined && /^```(ts|typescript)\s*$/.test(line)) block = { start: index + 2, body: [] };
    else if (block !== undefined && /^```\s*$/.test(line)) {
      if (block.body.some((text) => /^import\s/.test(text))) {
        const file = `${name.replace(/\.md$/, '')}-L${block.start}.mts`;
        writeFileSync(join(work, file), `${block.body.join('\n')}\n`);
        origins.set(file, { doc: join('docs', name), firstLine: block.start });
      }
      block = undefined;
    } else block?.body.push(line);
  });
}

// The packages resolve to their TypeScript sources, as in the workspace's own typecheck.
const paths = {};
for (const pkg of publicPackages()) {
  for (const [subpath, conditions] of Object.entries(pkg.manifest.exports ?? {})) {
    if (typeof conditions !== 'object' || conditions === null || conditions.source === undefined) continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    paths[specifier] = [join(pkg.dir, conditions.source)];
  }
}
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({
    extends: join(ROOT, 'tsconfig.base.json'),
    compilerOptions: { noEmit: true, typeRoots: [join(ROOT, 'node_modules', '@types')], paths },
    files: [...origins.keys()],
  }),
);

let status = 0;
try {
  if (origins.size === 0) throw new Error(`no TypeScript module found in ${GUIDES.join(', ')}`);
  console.log(`type-checking ${origins.size} snippets from ${GUIDES.join(', ')}`);
  const result = run(localBin('tsc'), ['-p', 'tsconfig.json'], { cwd: work, quiet: true });
  const output = `${result.stdout}${result.stderr}`.replace(
    /^(\S+\.mts)\((\d+),(\d+)\)/gm,
    (whole, file, line, col) => {
      const origin = origins.get(file);
      return origin === undefined ? whole : `${origin.doc}:${origin.firstLine + Number(line) - 1}:${col}`;
    },
  );
  if (result.status !== 0) {
    console.error(output);
    status = 1;
  } else {
    console.log(`ok: ${[...new Set([...origins.values()].map((origin) => relative('.', origin.doc)))].join(', ')}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  status = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(status);
