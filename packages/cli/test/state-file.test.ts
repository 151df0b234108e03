import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();

describe('a state file that does not parse', () => {
  it('makes run refuse to arm (exit 2, the file named, how to move it aside) and leaves it byte for byte', async () => {
    const op = await setUp();
    const statePath = join(op.dir, 'state.json');
    // A state cut short mid-switch (as a disk error or a hand edit could leave it), with a byte that is not UTF-8.
    const corrupt = Buffer.concat([
      Buffer.from(`{"version":1,"witness":"${op.me.name}","pending":{"fromKey":"${op.me.signingKey}","toKey":"`),
      Buffer.from([0xff, 0x00, 0x0a]),
    ]);
    writeFileSync(statePath, corrupt);
    // The primary is dead: a trap that armed over the file would fire, switch and save over it.
    await op.sim.stopNode(op.me.signingKey);

    const result = await runCli(['run', ...op.runFlags, '--json', '--state', statePath], {
      cwd: op.dir,
      timeoutMs: 30_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    const refusal = jsonLines(result.stdout).find((line) => line.event === 'config-error');
    const said = JSON.stringify(refusal ?? result.stderr);
    expect(said).toContain(statePath);
    expect(said).toMatch(/does not parse/);
    expect(said).toContain(`mv '${statePath}'`);
    expect(readFileSync(statePath).equals(corrupt)).toBe(true);
    expect(op.sim.chain.broadcasts()).toEqual([]);
    expect(op.sim.chain.witness(op.me.name)?.signing_key).toBe(op.me.signingKey);

    const status = await runCli(['status', ...op.runFlags, '--json', '--state', statePath], { cwd: op.dir });
    expect(status.code, status.stdout + status.stderr).toBe(2);
    expect(status.stdout).toContain(`mv '${statePath}'`);
    expect(readFileSync(statePath).equals(corrupt)).toBe(true);

    // `check` reads the state file where run would (its default path: check takes no --state) and reports it.
    const defaultPath = join(op.dir, '.witness-trap-state.json');
    writeFileSync(defaultPath, corrupt);
    const check = await runCli(['check', ...op.runFlags, '--json'], { cwd: op.dir });
    expect(check.code, check.stdout + check.stderr).toBe(2);
    expect(check.stdout).toContain(`mv '${defaultPath}'`);
    expect(readFileSync(defaultPath).equals(corrupt)).toBe(true);
  }, 60_000);
});
