/**
 * Config fuzzing: random command lines, environments, .env files and JSON config files through the CLI's own
 * configuration reader, and random command lines through the whole CLI entry (against a local simulated chain):
 * every input yields settings or a configuration error (kind 'config', exit 2); nothing throws anything else,
 * nothing hangs, nothing is broadcast.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimnet } from '@witness-trap/simnet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, envNameOf, isConfigError, main, OPTIONS, resolveSettings } from 'witness-trap';
import { recordFinding } from '../src/findings.js';

const FLAGS = OPTIONS.map((o) => `--${o.name}`);
const ENV_NAMES = [
  ...OPTIONS.map((o) => o.env ?? envNameOf(o.name)),
  'WITNESS_TRAP_SIGNING_KEYS',
  'WITNESS_TRAP_ACTIVE_KEY',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_TO',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_CHAT_ID',
];
/** Values with meaning to some option, beside random text: the fuzz reaches past the first check. */
const VALUE = fc.oneof(
  fc.string(),
  fc.constantFrom('alice', '1', '0', '-1', '1e309', 'NaN', '3000', '1h', '90s', '0ms', '', ' ', 'true', '127.0.0.1:0'),
  fc.constantFrom(
    'STM1111111111111111111111111111111114T1Anm',
    'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4',
  ),
  fc.constantFrom('beeab0de00000000000000000000000000000000000000000000000000000000', 'zz', 'http://', 'ftp://x'),
  fc.integer().map(String),
  fc.double().map(String),
);
const ARG = fc.oneof(
  fc.constantFrom(...FLAGS),
  fc.tuple(fc.constantFrom(...FLAGS), VALUE).map(([flag, value]) => `${flag}=${value}`),
  VALUE,
  fc.constantFrom('-h', '--help', '--', '-', '--no-such-flag', '--json', '--daemon', '--dry-run'),
);
const ARGS = fc.array(ARG, { maxLength: 12 });
const ENV = fc.dictionary(fc.constantFrom(...ENV_NAMES), VALUE, { maxKeys: 6 });
/** More in `pnpm test:reliability`, which sets RELIABILITY_FUZZ_RUNS. */
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 400);
const COMMAND = fc.constantFrom(...COMMAND_NAMES.filter((c) => c !== 'simnet'));

/** Fails the property on anything but settings, help, or a configuration error. */
function expectSettingsOrConfigError(read: () => unknown): 'settings' | 'help' | 'config-error' {
  try {
    const result = read() as { help: boolean };
    return result.help ? 'help' : 'settings';
  } catch (error) {
    if (!isConfigError(error)) throw new Error(`untyped error: ${String(error)}`, { cause: error });
    expect(typeof (error as { code?: unknown }).code).toBe('string');
    return 'config-error';
  }
}

describe('the configuration reader under fuzzing', () => {
  it('turns every command line, environment, .env and config file into settings or a config error', () => {
    const outcomes: Record<string, number> = {};
    const dir = mkdtempSync(join(tmpdir(), 'wt-rel-config-fuzz-'));
    fc.assert(
      fc.property(
        COMMAND,
        ARGS,
        ENV,
        fc.string({ maxLength: 200 }),
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...OPTIONS.map((o) => o.name)), fc.jsonValue())),
        fc.boolean(),
        (command, args, env, dotenv, config, useConfig) => {
          writeFileSync(join(dir, '.env'), dotenv);
          writeFileSync(join(dir, 'config.json'), JSON.stringify(config) ?? 'null');
          const argv = useConfig ? [...args, '--config', join(dir, 'config.json')] : args;
          const outcome = expectSettingsOrConfigError(() => resolveSettings({ command, args: argv, env, cwd: dir }));
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        },
      ),
      { numRuns: RUNS },
    );
    recordFinding({
      area: 'security: config fuzzing',
      injected: `${RUNS} random (command, argv, env, .env, JSON config file) through resolveSettings`,
      happened: `outcomes ${JSON.stringify(outcomes)}; nothing else thrown`,
    });
  });

  it('runs random command lines through the whole CLI entry: exit 0, 1 or 2, nothing thrown, nothing broadcast', async () => {
    const sim = await startSimnet({ blockIntervalMs: 100, backupKeys: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'wt-rel-main-fuzz-'));
    const codes: Record<string, number> = {};
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('check', 'status', 'run', 'switch', 'disable', 'enable', 'keygen', 'notify-test'),
          ARGS,
          ENV,
          async (command, args, env) => {
            // Only the local chain may ever be reached: drop every node, config file and URL the fuzz made up.
            const safeArgs = args.filter(
              (a, i) =>
                !/^--(node|config|webhook|metrics)/.test(a) &&
                !/^--(node|config|webhook|metrics)$/.test(args[i - 1] ?? ''),
            );
            const safeEnv = Object.fromEntries(
              Object.entries(env).filter(([name]) => !/NODE|CONFIG|WEBHOOK|METRICS|API_URL|TWILIO|TELEGRAM/.test(name)),
            );
            const controller = new AbortController();
            const guard = setTimeout(() => controller.abort(), 3000);
            const sink = { write: () => true, isTTY: false, columns: 80 };
            try {
              const code = await main([command, ...safeArgs, '--node', sim.url, '--chain-id', sim.chainId], {
                stdout: sink,
                stderr: sink,
                env: safeEnv,
                cwd: dir,
                signal: controller.signal,
              });
              runs += 1;
              codes[code] = (codes[code] ?? 0) + 1;
              // status exits as a monitoring check: 3 is UNKNOWN (the chain could not be read).
              expect(command === 'status' ? [0, 1, 2, 3] : [0, 1, 2]).toContain(code);
            } finally {
              clearTimeout(guard);
            }
          },
        ),
        { numRuns: Math.ceil(RUNS / 10) },
      );
      expect(sim.chain.broadcasts()).toHaveLength(0);
      recordFinding({
        area: 'security: config fuzzing',
        injected: `${runs} random command lines and environments through main() (check, status, run, switch, disable, enable, keygen, notify-test) against a local simnet`,
        happened: `exit codes ${JSON.stringify(codes)}; nothing thrown; ${sim.chain.broadcasts().length} broadcasts`,
      });
    } finally {
      await sim.stop();
    }
  }, 120_000);
});
