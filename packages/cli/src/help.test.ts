import { describe, expect, it } from 'vitest';
import { renderCommandHelp, renderMainHelp } from './help.js';
import { COMMAND_NAMES, commandsOf, OPTIONS, optionsFor } from './options.js';
import { renderConfigurationReference } from './reference.js';

describe('help and the configuration reference, from the option table', () => {
  it('lists every command in the main help', () => {
    const help = renderMainHelp('1.2.3');
    for (const command of COMMAND_NAMES) expect(help).toContain(`  ${command} `);
  });

  it("shows each command's own options, and private keys only as environment variables", () => {
    for (const command of COMMAND_NAMES.filter((name) => name !== 'simnet')) {
      const help = renderCommandHelp(command);
      for (const option of optionsFor(command)) {
        expect(help, `${command} --${option.name}`).toContain(option.secret ? option.env : `--${option.name}`);
        if (option.secret) expect(help).not.toContain(`--${option.name} `);
      }
    }
  });

  it('states the consequence of each command that changes the signing key', () => {
    expect(renderCommandHelp('disable')).toMatch(/stops producing blocks until .*enable with the active key/);
    expect(renderCommandHelp('switch')).toMatch(/Consequence: .*new key/);
    expect(renderCommandHelp('enable')).toMatch(/Consequence: .*back in the schedule/);
  });

  it('documents every option with its environment variable, default and commands', () => {
    const reference = renderConfigurationReference();
    for (const option of OPTIONS) {
      const row = reference.split('\n').find((line) => line.includes(`\`${option.env}\``));
      expect(row, option.name).toBeDefined();
      expect(row).toContain(commandsOf(option).join(', '));
      if (option.default) expect(row).toContain(option.default);
    }
  });
});
