/**
 * Commands that change the chain ask first (issue 21 item 5): on a terminal, `switch`, `disable` and `enable` show
 * what will be signed and sign only once the witness's name is typed; `--yes` skips the question; off a terminal
 * without `--yes` they refuse (exit 2). The terminal is a real pseudo-terminal, made by util-linux `script`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { buildCli, runCli } from './harness.js';

const NULL_KEY = 'STM1111111111111111111111111111111114T1Anm';
const QUESTION = "Type the witness's name";
const setUp = operatorPerTest();

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a pseudo-terminal (stdin, stdout and stderr all the terminal) and types `answer` once the question
 * shows. Resolves with the exit code and everything the terminal showed.
 */
async function onTerminal(
  args: string[],
  answer: string,
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; screen: string }> {
  const bin = await buildCli();
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', TERM: 'dumb', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!answered && screen.includes(QUESTION)) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  child.stdin.end();
  return { code, screen };
}

describe('on a terminal', () => {
  it('disable shows what will be signed, signs nothing on a wrong name, and lands once the name is typed', async () => {
    const op = await setUp();
    const flags = ['disable', ...op.chainFlags, '--signing-keys-file', op.keyFile];
    const refused = await onTerminal(flags, 'bob', { cwd: op.dir });
    expect(refused.code, refused.screen).toBe(2);
    expect(refused.screen).toContain(`witness:    ${op.me.name}`);
    expect(refused.screen).toContain('operation:  witness_set_properties');
    expect(refused.screen).toContain(`from key:   ${op.me.signingKey} (on chain now)`);
    expect(refused.screen).toMatch(new RegExp(`to key: +${NULL_KEY} \\(the null key: .*stops producing`));
    expect(refused.screen).toContain(`signed by:  ${op.me.signingKey}`);
    expect(refused.screen).toMatch(/not confirmed .*nothing was signed/);
    expect(op.sim.chain.broadcasts()).toEqual([]);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);

    const confirmed = await onTerminal(flags, op.me.name, { cwd: op.dir });
    expect(confirmed.code, confirmed.screen).toBe(0);
    expect(confirmed.screen).toMatch(/disable: confirmed in block \d+/);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(NULL_KEY);
    expect(confirmed.screen).not.toContain(op.me.privateKey);
  }, 60_000);

  it('enable names the active key as the signer and switches back once the name is typed', async () => {
    const op = await setUp();
    const keys = join(op.dir, 'both.keys');
    writeFileSync(keys, `${op.me.privateKey}\n`);
    chmodSync(keys, 0o600);
    const disabled = await runCli(['disable', ...op.chainFlags, '--signing-keys-file', keys, '--yes'], {
      cwd: op.dir,
      timeoutMs: 30_000,
    });
    expect(disabled.code, disabled.stderr).toBe(0);
    const enabled = await onTerminal(
      ['enable', ...op.chainFlags, '--signing-keys-file', keys, '--to', op.me.signingKey],
      op.me.name,
      { cwd: op.dir, env: { WITNESS_TRAP_ACTIVE_KEY: op.me.activeKey } },
    );
    expect(enabled.code, enabled.screen).toBe(0);
    expect(enabled.screen).toContain('operation:  witness_update');
    expect(enabled.screen).toMatch(/signed by: +STM\w+ \(alice's active key/);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);
    expect(enabled.screen).not.toContain(op.me.activeKey);
  }, 60_000);
});

describe('off a terminal', () => {
  it('switch, disable and enable without --yes refuse with exit 2 and broadcast nothing', async () => {
    const op = await setUp();
    const base = [...op.chainFlags, '--signing-keys-file', op.keyFile];
    const lines = [
      ['switch', ...base, '--to', op.backupKey],
      ['disable', ...base],
      ['enable', ...base, '--to', op.me.signingKey],
    ];
    const results = await Promise.all(lines.map((args) => runCli(args, { cwd: op.dir, timeoutMs: 30_000 })));
    results.forEach((result, index) => {
      const command = lines[index]?.[0];
      expect(result.code, `${command}\n${result.stderr}`).toBe(2);
      const problems = jsonLines(result.stderr).flatMap((record) => (record.problems as string[] | undefined) ?? []);
      expect(problems.join('\n'), command).toMatch(/asks at a terminal first; there is none here: pass --yes/);
    });
    expect(op.sim.chain.broadcasts()).toEqual([]);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);
  }, 60_000);
});
