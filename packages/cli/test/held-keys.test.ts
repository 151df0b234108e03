/**
 * `check` names each private key it holds (issue 21 item 2): which on-chain key it matches and which operation it
 * would sign, and warns plainly when the file meant for signing keys holds the account's active key.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();

describe('check names the keys it holds', () => {
  it('says which key is the one on chain, and warns that the active key in the signing-keys file belongs elsewhere', async () => {
    const op = await setUp();
    const keys = join(op.dir, 'signing.keys');
    writeFileSync(keys, `${op.me.privateKey}\n${op.me.activeKey}\n`);
    chmodSync(keys, 0o600);
    const runFlags = op.runFlags.map((flag) => (flag === op.keyFile ? keys : flag));
    const result = await runCli(['check', ...runFlags, '--json'], { cwd: op.dir, timeoutMs: 30_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const records = jsonLines(result.stdout);
    const held = records.filter((record) => record.event === 'key');
    expect(held).toEqual([
      expect.objectContaining({
        publicKey: op.me.signingKey,
        is: 'the signing key on chain now',
        signs: expect.stringMatching(/^witness_set_properties/),
      }),
      expect.objectContaining({ publicKey: op.me.activePublicKey, is: `${op.me.name}'s ACTIVE key` }),
    ]);
    const warning = records.find(
      (record) => record.event === 'check-note' && String(record.message).includes('ACTIVE key'),
    );
    expect(warning?.level).toBe('warn');
    expect(String(warning?.message)).toMatch(/can move the account's funds.*--active-key-file/);
    const final = records.at(-1);
    expect(final).toMatchObject({
      ok: true,
      keys: [{ publicKey: op.me.signingKey }, { publicKey: op.me.activePublicKey }],
    });
    expect(result.stdout + result.stderr).not.toContain(op.me.activeKey);
  }, 40_000);
});
