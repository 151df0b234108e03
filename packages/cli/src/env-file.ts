/** Reads a `.env` file without touching `process.env`, so that layering (flags > env > .env) stays explicit. */
import { readFileSync } from 'node:fs';
import * as util from 'node:util';

type ParseEnv = (content: string) => Record<string, string>;

/**
 * Parses dotenv text: `KEY=value` lines, `#` comments, optional `export `, single or double quotes (double quotes
 * expand `\n`). Node's own `util.parseEnv` is used where present (Node >= 20.12); this covers 20.11.
 */
export function parseDotenv(content: string): Record<string, string> {
  const native = (util as unknown as { parseEnv?: ParseEnv }).parseEnv;
  if (native) return { ...native(content) };
  const out: Record<string, string> = {};
  const line = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*("(?:\\.|[^"\\])*"|'[^']*'|[^#\r\n]*)/;
  for (const raw of content.split(/\r?\n/)) {
    const match = line.exec(raw);
    if (!match) continue;
    const [, key = '', value = ''] = match;
    if (value.startsWith('"')) out[key] = value.slice(1, -1).replaceAll('\\n', '\n').replaceAll('\\"', '"');
    else if (value.startsWith("'")) out[key] = value.slice(1, -1);
    else out[key] = value.trim();
  }
  return out;
}

/** The variables of the `.env` file at `path`, or none where there is no such file. */
export function readDotenv(path: string): Record<string, string> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseDotenv(content);
}
