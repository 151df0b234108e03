/**
 * Secrets (long suite: ~40 s of CLI runs): every CLI command and a whole failover run with known private keys and tokens in play, and hostile
 * inputs that put a key where it does not belong. None of the secrets may appear in stdout, stderr, the state file,
 * the metrics, emitted events or error messages. Key files readable by others are refused.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliToEnd, startCli } from '../../src/cli-process.js';
import { recordFinding } from '../../src/findings.js';
import { operatorPerTest, WEBHOOK_PATH_TOKEN } from '../../src/operator-setup.js';
import { keySwitches } from '../../src/scenario.js';
import { type Exposure, findLeaks } from '../../src/secret-scan.js';

const setup = operatorPerTest();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** A WIF with one character changed: not a valid key, still a secret an error message must not echo. */
function corrupted(wif: string): string {
  const middle = Math.floor(wif.length / 2);
  return `${wif.slice(0, middle)}${wif[middle] === 'A' ? 'B' : 'A'}${wif.slice(middle + 1)}`;
}

describe('no secret ever printed, saved or served', () => {
  it('runs every command and a whole failover with known keys and tokens: none of them appears anywhere', async () => {
    const op = await setup();
    const { sim, me, backupKeys } = op;
    const exposures: Exposure[] = [];
    const record = (name: string, result: { stdout: string; stderr: string }) => {
      exposures.push(
        { where: `${name} stdout`, text: result.stdout },
        { where: `${name} stderr`, text: result.stderr },
      );
    };
    const chainFlags = op.runArgs.slice(op.runArgs.indexOf('--witness'), op.runArgs.indexOf('--backup-key'));
    const activeEnv = { ...op.env, WITNESS_TRAP_ACTIVE_KEY: me.activeKey };
    const apiKeyNode = `${sim.url}/?api_key=node-api-secret-7c1f`;
    const secrets = [...op.secrets, 'node-api-secret-7c1f', 'basic-auth-secret-3e9a'];
    const codes: Record<string, number | string> = {};
    const cli = async (name: string, args: string[], env = op.env, timeoutMs = 20_000) => {
      const result = await runCliToEnd(args, { env, cwd: op.dir, timeoutMs });
      codes[name] = result.code;
      record(name, result);
      return result;
    };

    // `check` takes every run flag but --state.
    const at = op.runArgs.indexOf('--state');
    const checkArgs = [...op.runArgs.slice(1, at), ...op.runArgs.slice(at + 2)];
    await cli('check', ['check', ...checkArgs, '--node', apiKeyNode]);
    await cli('status', ['status', ...chainFlags, '--state', op.statePath]);
    await cli('notify-test', ['notify-test', '--webhook', `${op.receiver.url}/${WEBHOOK_PATH_TOKEN}`]);
    await cli(
      'drill',
      ['drill', ...op.runArgs.slice(1).filter((a) => a !== '--state' && a !== op.statePath)],
      op.env,
      40_000,
    );

    // The failover, with metrics served and scraped while it runs.
    const port = await freePort();
    const run = await startCli([...op.runArgs, '--metrics', `127.0.0.1:${port}`], { env: op.env, cwd: op.dir });
    await run.waitForRecord((r) => r.event === 'armed', 30_000);
    const scrape = async () => {
      for (const path of ['/metrics', '/healthz']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
        if (response) exposures.push({ where: `metrics ${path}`, text: await response.text() });
      }
    };
    await scrape();
    await sim.stopNode(me.signingKey);
    await run.waitForRecord((r) => r.event === 'confirmed', 30_000).catch(() => undefined);
    await scrape();
    codes.run = await run.exited;
    record('run', { stdout: run.stdout(), stderr: run.stderr() });
    if (existsSync(op.statePath)) exposures.push({ where: 'state file', text: readFileSync(op.statePath, 'utf8') });

    await cli('status after', ['status', ...chainFlags, '--state', op.statePath]);
    // --yes: no terminal here; the chain-changing commands would refuse to sign without it.
    await cli('switch', ['switch', ...op.runArgs.slice(1), '--to', backupKeys[1] ?? '', '--yes'], activeEnv);
    await cli('disable', ['disable', ...chainFlags, '--yes'], activeEnv);
    await cli('enable', ['enable', ...chainFlags, '--to', me.signingKey, '--yes'], activeEnv);
    await cli('keygen', ['keygen']);
    const keygenWifs = (exposures.at(-2)?.text ?? '').match(/\b5[HJK][1-9A-HJ-NP-Za-km-z]{49}\b/g) ?? [];

    // Hostile: keys where they do not belong, a near-key, credentials in a node URL.
    await cli('private key as --backup-key', ['check', ...chainFlags, '--backup-key', me.privateKey]);
    await cli('corrupted key in env', ['check', ...chainFlags, '--backup-key', backupKeys[0] ?? ''], {
      ...op.env,
      WITNESS_TRAP_SIGNING_KEYS: `${corrupted(me.privateKey)},${me.backupKeys[1]?.privateKey ?? ''}`,
    });
    const badKeyFile = join(op.dir, 'bad.keys');
    writeFileSync(badKeyFile, `${corrupted(me.backupKeys[1]?.privateKey ?? '')}\n`);
    chmodSync(badKeyFile, 0o600);
    await cli('corrupted key file', [
      'check',
      ...chainFlags,
      '--backup-key',
      backupKeys[0] ?? '',
      '--signing-keys-file',
      badKeyFile,
    ]);
    const credentialNode = sim.url.replace('http://', 'http://operator:basic-auth-secret-3e9a@');
    await cli('credentials in node URL', [
      'status',
      '--witness',
      me.name,
      '--node',
      credentialNode,
      '--node',
      'http://127.0.0.1:9/?api_key=node-api-secret-7c1f',
      '--chain-id',
      sim.chainId,
    ]);

    const all = [...secrets, corrupted(me.privateKey), corrupted(me.backupKeys[1]?.privateKey ?? '')];
    const leaks = findLeaks(exposures, all, keygenWifs);
    recordFinding({
      area: 'security: secrets',
      injected: `${Object.keys(codes).length} CLI runs (every command but demo/simnet, a whole failover with /metrics and /healthz scraped, hostile inputs) with ${all.length} known secrets: private keys, active key, Twilio and Telegram tokens, a webhook path token, a node API key, basic-auth credentials, two corrupted WIFs`,
      happened: `${exposures.length} outputs scanned (stdout, stderr, state file, metrics); leaks: ${leaks.length === 0 ? 'none' : JSON.stringify(leaks)}; exit codes ${JSON.stringify(codes)}`,
    });
    expect(codes.check).toBe(0);
    expect(codes.run).toBe(0);
    expect(keySwitches(sim, me.name).length).toBeGreaterThanOrEqual(1);
    expect(codes['private key as --backup-key']).toBe(2);
    expect(leaks).toEqual([]);
  }, 180_000);
});
