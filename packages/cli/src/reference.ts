/** The configuration reference (docs/configuration.md), generated from the option table. */
import { COMMAND_NAMES, COMMAND_SUMMARIES, commandsOf, DEFAULT_NODES, OPTIONS } from './options.js';

/**
 * Renders the configuration reference as Markdown: commands, every option with its environment variable, type,
 * default and the commands that take it.
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { renderConfigurationReference } from 'witness-trap';
 * writeFileSync('docs/configuration.md', renderConfigurationReference());
 */
export function renderConfigurationReference(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/cli/src/options.ts by renderConfigurationReference(); do not edit by hand. -->',
    '',
    'Every option is a flag (`--name VALUE`), an environment variable, a line in `.env` in the working directory, or a',
    'key in the `--config` JSON file. Precedence: flags > environment > `.env` > config file > default. Repeatable',
    'options take a comma-separated list in the environment and a JSON array in the config file. Private keys are',
    'accepted only from key files (mode 600) or the environment, never as flags.',
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '|---|---|',
    ...COMMAND_NAMES.map((name) => `| \`${name}\` | ${cell(COMMAND_SUMMARIES[name])} |`),
    '',
    '## Options',
    '',
    '| flag | environment | type | default | repeatable | commands | description |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const option of OPTIONS) {
    const flag = option.secret
      ? '(environment only)'
      : `\`--${option.name}${option.valueName ? ` ${option.valueName}` : ''}\``;
    const fallback = option.defaultText ?? option.default ?? '';
    lines.push(
      `| ${flag} | \`${option.env}\` | ${option.type} | ${cell(fallback)} | ${option.repeatable ? 'yes' : ''} | ${commandsOf(option).join(', ')} | ${cell(option.description)}${option.requiredBy ? ` (required by ${option.requiredBy.join(', ')})` : ''} |`,
    );
  }
  lines.push(
    '',
    'Built-in nodes (used where no `--node` is given):',
    '',
    ...DEFAULT_NODES.map((url) => `- ${url}`),
    '',
  );
  return lines.join('\n');
}
