/**
 * Installed size of a package with its production dependencies, summed over the pnpm-resolved tree: every
 * dependency (`dependencies` and `optionalDependencies`, recursively, each package once by real path) counted whole,
 * and workspace packages counted as `npm pack` would ship them (their `files`, plus package.json). Sizes are the
 * files' byte lengths (apparent size, not disk blocks). No registry is asked: this is what is on disk here.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One package in the tree. */
export interface PackageSize {
  name: string;
  version: string;
  /** Sum of the files' lengths. */
  bytes: number;
  /** Disk space taken (allocated blocks): what `du` shows; many small files cost far more than their bytes. */
  diskBytes: number;
  files: number;
}

/** The whole tree. */
export interface InstalledSize {
  root: string;
  bytes: number;
  diskBytes: number;
  files: number;
  packages: PackageSize[];
}

interface Manifest {
  name?: string;
  version?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Sums the installed size of the package at `packageDir` and its production dependencies.
 *
 * @example
 * ```ts
 * const size = installedSize('/work/main/packages/cli');
 * size.bytes; // e.g. 31_000_000
 * ```
 */
export function installedSize(packageDir: string): InstalledSize {
  const seen = new Map<string, PackageSize>();
  const visit = (dir: string, shipsFiles: boolean) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as Manifest;
    const inWorkspace = !real.split('/').includes('node_modules');
    const roots =
      inWorkspace && shipsFiles && manifest.files !== undefined
        ? [...manifest.files.map((f) => join(real, f)), join(real, 'package.json')]
        : [real];
    const size = {
      name: manifest.name ?? basename(real),
      version: manifest.version ?? '',
      bytes: 0,
      diskBytes: 0,
      files: 0,
    };
    for (const root of roots) if (existsSync(root)) addTree(root, size);
    seen.set(real, size);
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = resolvePackage(real, name);
      if (found !== undefined) visit(found, true);
    }
  };
  visit(packageDir, true);
  const packages = [...seen.values()].sort((a, b) => b.bytes - a.bytes);
  return {
    root: packageDir,
    bytes: packages.reduce((sum, p) => sum + p.bytes, 0),
    diskBytes: packages.reduce((sum, p) => sum + p.diskBytes, 0),
    files: packages.reduce((sum, p) => sum + p.files, 0),
    packages,
  };
}

/** Node's lookup: `<ancestor>/node_modules/<name>` for each ancestor that is not itself a node_modules folder. */
function resolvePackage(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Adds the files under `path` (a nested node_modules of a workspace package is not shipped: skipped). */
function addTree(path: string, size: { bytes: number; diskBytes: number; files: number }): void {
  const stat = statSync(path);
  if (stat.isFile()) {
    size.bytes += stat.size;
    size.diskBytes += stat.blocks * 512;
    size.files += 1;
    return;
  }
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    if (entry.name === 'node_modules') continue;
    addTree(join(path, entry.name), size);
  }
}
