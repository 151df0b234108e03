/**
 * `check` takes the whole command line of `run` and checks what each option promises, before anything is deployed:
 * a writable state file, intervals that fit the block interval, health URLs that answer, webhooks that are reachable.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { optionsFor } from '../src/options.js';
import { jsonLines, operatorPerTest, TEST_BLOCK_INTERVAL_MS } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A webhook receiver that counts the requests it got (check must send none). */
async function receiver(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests: () => requests };
}

/** A loopback port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const problemsOf = (stdout: string) =>
  ((jsonLines(stdout).find((line) => line.event === 'config-error')?.problems as string[] | undefined) ?? []).join(
    '\n',
  );

describe('check with the command line of run', () => {
  it('passes the full run command line, every option of run given, and sends, writes and broadcasts nothing', async () => {
    const op = await setUp();
    const hook = await receiver();
    const state = join(op.dir, 'state.json');
    const values: Record<string, string[]> = {
      // Both nodes' health URLs: --preemptive needs the one of the key on chain.
      health: [
        `${op.backupKey}=${op.sim.nodeHealthUrl(op.backupKey)}`,
        `${op.me.signingKey}=${op.sim.nodeHealthUrl(op.me.signingKey)}`,
      ],
      misses: ['1'],
      window: ['1h'],
      'poll-interval': [String(TEST_BLOCK_INTERVAL_MS / 4)],
      'rpc-timeout': ['2000'],
      state: [state],
      webhook: [hook.url],
      metrics: ['127.0.0.1:0'],
      'remote-control': ['telegram'],
      'log-level': ['info'],
      'log-format': ['json'],
      'min-nodes': ['1'],
    };
    const given = new Set(['witness', 'node', 'chain-id', 'block-interval', 'backup-key', 'signing-keys-file']);
    const line = [...op.runFlags];
    for (const option of optionsFor('run')) {
      if (option.secret || given.has(option.name) || ['json', 'config', 'active-key-file'].includes(option.name)) {
        continue;
      }
      if (option.type === 'boolean') line.push(`--${option.name}`);
      else {
        const value = values[option.name];
        expect(value, `give --${option.name} a value in this test`).toBeDefined();
        for (const v of value ?? []) line.push(`--${option.name}`, v);
      }
    }
    // Telegram (the notifier and --remote-control) pointed at the local receiver: check must not call it either.
    const telegram = { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_CHAT_ID: '42', TELEGRAM_API_URL: hook.url };
    const result = await runCli(['check', ...line, '--json'], { cwd: op.dir, env: telegram });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ ok: true });
    expect(hook.requests()).toBe(0);
    expect(existsSync(state)).toBe(false);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  });

  it('reports a state folder that does not exist, intervals that do not fit, a dead health URL and an unreachable webhook', async () => {
    const op = await setUp();
    const dead = await closedPort();
    const result = await runCli(
      [
        'check',
        ...op.runFlags,
        '--state',
        join(op.dir, 'no-such-folder', 'state.json'),
        '--poll-interval',
        String(TEST_BLOCK_INTERVAL_MS),
        '--misses',
        '3',
        '--window',
        '1s',
        '--health',
        `${op.backupKey}=http://127.0.0.1:${dead}/health`,
        '--webhook',
        `http://127.0.0.1:${dead}/hook`,
        '--json',
      ],
      { cwd: op.dir },
    );
    expect(result.code, result.stdout + result.stderr).toBe(2);
    const problems = problemsOf(result.stdout);
    expect(problems).toMatch(/--state .*no-such-folder.* does not exist/);
    expect(problems).toMatch(/--poll-interval 200 ms is not shorter than the block interval \(200 ms\)/);
    expect(problems).toMatch(/--window 1 s cannot hold --misses 3/);
    expect(problems).toMatch(/--health STM\w+=http:\/\/127\.0\.0\.1:\d+ does not answer/);
    expect(problems).toMatch(/--webhook http:\/\/127\.0\.0\.1:\d+ is not reachable/);
    expect(op.sim.chain.broadcasts()).toEqual([]);
  });
});
