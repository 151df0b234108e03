import { describe, expect, it } from 'vitest';
import { parseArgv } from './argv.js';
import { appliesTo, commandsOf, type OptionSpec, optionsFor, RUN_LINE_COMMANDS } from './options.js';

/** A value each option's parser accepts, by type (booleans take none). */
const SAMPLE: Record<OptionSpec['type'], string | undefined> = {
  string: 'telegram',
  path: './somewhere',
  url: 'http://127.0.0.1:9/x',
  'public-key': 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo',
  hex64: 'a'.repeat(64),
  count: '2',
  ms: '100',
  duration: '15m',
  'host-port': '127.0.0.1:0',
  'key-url': 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo=http://127.0.0.1:9/health',
  boolean: undefined,
};

describe('check and drill take the command line of run', () => {
  it('parses every flag of run for check and drill, so the verb can be swapped on a deployed line', () => {
    const flags = optionsFor('run').filter((option) => !option.secret);
    expect(flags.length).toBeGreaterThan(10);
    const line = flags.flatMap((option) => {
      const value = SAMPLE[option.type];
      return value === undefined ? [`--${option.name}`] : [`--${option.name}`, value];
    });
    for (const command of RUN_LINE_COMMANDS) {
      const parsed = parseArgv(command, line);
      expect(parsed.problems, command).toEqual([]);
      expect([...parsed.flags.keys()].sort(), command).toEqual(flags.map((option) => option.name).sort());
    }
  });

  it('applies an option written for run alone to check and drill too, and to no other command', () => {
    const runOnly: OptionSpec = {
      name: 'some-new-run-option',
      type: 'boolean',
      env: 'X',
      description: '',
      commands: ['run'],
    };
    expect(commandsOf(runOnly)).toEqual(['run', 'check', 'drill']);
    expect(appliesTo(runOnly, 'status')).toBe(false);
    expect(appliesTo({ ...runOnly, commands: ['switch'] }, 'check')).toBe(false);
  });

  it('still refuses an option of another command', () => {
    expect(parseArgv('check', ['--to', SAMPLE['public-key'] as string]).problems.join('\n')).toMatch(
      /--to is not an option of check/,
    );
  });
});
