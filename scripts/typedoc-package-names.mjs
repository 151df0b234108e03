// TypeDoc plugin: name each entry-point module after the import specifier users write
// (`@witness-trap/core`, `@witness-trap/core/testing`) instead of its folder (`core/src`).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {string} dir */
function nearestPackage(dir) {
  for (let current = dir; ; current = dirname(current)) {
    try {
      const manifest = JSON.parse(readFileSync(join(current, 'package.json'), 'utf8'));
      return { dir: current, name: manifest.name };
    } catch {
      if (dirname(current) === current) return undefined;
    }
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const fileName = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    if (fileName === undefined) return;
    const pkg = nearestPackage(dirname(fileName));
    if (pkg?.name === undefined) return;
    // Entry points live at src/index.ts (the package root) or src/<subpath>/index.ts (a subpath export).
    const subpath = relative(join(pkg.dir, 'src'), dirname(fileName)).split(sep).join('/');
    reflection.name = subpath === '' ? pkg.name : `${pkg.name}/${subpath}`;
  });
}
