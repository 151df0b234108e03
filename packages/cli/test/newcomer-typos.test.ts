/** What a newcomer types first: `help run`, and typos that get one "did you mean" (issue 21 items 11 and 12). */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from './harness.js';

beforeAll(async () => {
  await buildCli();
}, 60_000);

describe('help and typos, offline', () => {
  it("witness-trap help run prints run's help, as run --help does", async () => {
    const help = await runCli(['help', 'run']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await runCli(['run', '--help'])).stdout);
    expect(help.stdout).toMatch(/^Usage: witness-trap run \[options\]/);
    const typo = await runCli(['help', 'swich']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no command "swich": did you mean switch\?/);
  });

  it('suggests the command meant by stauts and swich (exit 2)', async () => {
    for (const [typed, meant] of [
      ['stauts', 'status'],
      ['swich', 'switch'],
    ]) {
      const result = await runCli([typed as string]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command "${typed}": did you mean ${meant}?`);
    }
  });

  it('suggests the option meant by --witnes and --bakup-key, and the variable meant by WITNESS_TRAP_WITNES', async () => {
    const flags = await runCli([
      'check',
      '--witnes',
      'alice',
      '--bakup-key',
      'STM5Gr2LfceQoTSCbtj11f7co97Gyn1KKfZSyKd6wKxZtRWnALNHM',
    ]);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain('unknown option --witnes: did you mean --witness?');
    expect(flags.stderr).toContain('unknown option --bakup-key: did you mean --backup-key?');
    const env = await runCli(['status'], { env: { WITNESS_TRAP_WITNES: 'alice' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      'WITNESS_TRAP_WITNES (environment) is not a witness-trap setting: did you mean WITNESS_TRAP_WITNESS?',
    );
  });

  it('guesses nothing for a name far from every one', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('did you mean');
  });
});
