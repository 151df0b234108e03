import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runSimnetCli, type Simnet } from '../src/index.js';
import { rpc } from './helpers.js';

function capture() {
  const lines: string[] = [];
  let partial = '';
  return {
    lines,
    write(text: string) {
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      return true;
    },
  };
}

/** Runs the command until `stop()`; resolves once its simnet is up. */
async function startCli(args: string[], stdout = capture()) {
  const controller = new AbortController();
  let sim: Simnet | undefined;
  const run = runSimnetCli(args, {
    stdout,
    stderr: capture(),
    signal: controller.signal,
    handleSignals: false,
    onStarted: (s) => {
      sim = s;
    },
  });
  while (!sim) await new Promise((r) => setTimeout(r, 5));
  return {
    sim,
    stop: () => {
      controller.abort();
      return run;
    },
  };
}

describe('witness-trap-simnet', () => {
  it('prints the contract JSON line first, then a JSON line per block, and stops on abort', async () => {
    const stdout = capture();
    const { sim, stop } = await startCli(
      ['--port', '0', '--block-interval', '50', '--witnesses', '5', '--json'],
      stdout,
    );
    await sim.waitForBlock(sim.chain.head().number + 2, { timeoutMs: 5000 });
    const first = JSON.parse(stdout.lines[0] as string);
    expect(first).toMatchObject({ url: sim.url, chainId: sim.chainId, blockInterval: 50 });
    expect(first.witnesses).toHaveLength(5);
    expect(first.witnesses[0]).toMatchObject({
      name: 'alice',
      signingKey: sim.witnesses[0]?.signingKey,
      privateKey: sim.witnesses[0]?.privateKey,
      backupKeys: [{ publicKey: sim.witnesses[0]?.backupKeys[0]?.publicKey, privateKey: expect.any(String) }],
    });
    expect(first.witnesses[1].backupKeys).toBeUndefined();
    const dgp = await rpc(first.url, 'condenser_api.get_dynamic_global_properties');
    expect(dgp.result).toMatchObject({ head_block_number: expect.any(Number) });
    expect(JSON.parse(stdout.lines[1] as string)).toMatchObject({ event: 'block', witness: expect.any(String) });
    expect(await stop()).toBe(0);
    await expect(fetch(first.url)).rejects.toThrow();
  });

  it('prints a banner and a line per block without --json', async () => {
    const stdout = capture();
    const { sim, stop } = await startCli(['--port', '0', '--block-interval', '50'], stdout);
    await sim.waitForBlock(sim.chain.head().number + 1, { timeoutMs: 5000 });
    expect(await stop()).toBe(0);
    expect(stdout.lines[0]).toMatch(/simulated Hive chain/);
    expect(stdout.lines.some((l) => /^#\d+ /.test(l))).toBe(true);
    expect(stdout.lines.join('\n')).not.toMatch(/5[HJK][1-9A-HJ-NP-Za-km-z]{49}/);
  });

  it('stops cleanly on SIGTERM and leaves no signal handler behind', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    let sim: Simnet | undefined;
    const stdout = capture();
    const run = runSimnetCli(['--port', '0'], {
      stdout,
      onStarted: (s) => {
        sim = s;
      },
    });
    while (!sim) await new Promise((r) => setTimeout(r, 5));
    expect(process.listenerCount('SIGTERM')).toBe((before[1] ?? 0) + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await run).toBe(0);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    expect(stdout.lines.at(-1)).toBe('simnet stopped');
    await expect(fetch(sim.url)).rejects.toThrow();
  });

  it('exits 2 on bad usage, without starting', async () => {
    for (const args of [
      ['--port', 'x'],
      ['--bogus'],
      ['--chain-id', 'zz'],
      ['--chain-id', `beeab0de${'0'.repeat(56)}`],
      ['--witnesses', '0'],
    ]) {
      const stderr = capture();
      expect(await runSimnetCli(args, { stderr, stdout: capture(), handleSignals: false })).toBe(2);
      expect(stderr.lines.join('\n')).toMatch(/witness-trap-simnet:/);
    }
  });

  it('exits 1 when the port is taken', async () => {
    const { sim, stop } = await startCli(['--port', '0']);
    const port = new URL(sim.url).port;
    const stderr = capture();
    expect(await runSimnetCli(['--port', port], { stdout: capture(), stderr, handleSignals: false })).toBe(1);
    expect(stderr.lines.join('\n')).toMatch(/could not start/);
    await stop();
  });

  it('stops cleanly with exit 0 when its reader goes away (EPIPE), as in `simnet --json | head -1`', async () => {
    const stdout = Object.assign(new EventEmitter(), capture());
    let sim: Simnet | undefined;
    const run = runSimnetCli(['--port', '0', '--json', '--block-interval', '50'], {
      stdout,
      stderr: capture(),
      handleSignals: false,
      onStarted: (s) => {
        sim = s;
      },
    });
    while (!sim) await new Promise((r) => setTimeout(r, 5));
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await run).toBe(0);
    expect(stdout.listenerCount('error')).toBe(0);
  });
});

describe('witness-trap-simnet realism flags', () => {
  it('reaches every realism option, and --tidy turns them all off', async () => {
    const hostile = await startCli([
      '--port',
      '0',
      '--block-interval',
      '50',
      '--realism',
      'hostile',
      '--propagation-delay',
      '7',
      '--proxy',
      '10,20,3,2',
      '--micro-fork-rate',
      '0.01',
      '--dead-nodes',
      'refuse',
      '--reads-include-pending',
      'false',
    ]);
    const state = (await rpc(hostile.sim.url, 'simnet_api.get_state', {})).result as { realism: unknown };
    expect(state.realism).toEqual({
      readsIncludePending: false,
      propagationDelayMs: 7,
      proxy: { cacheMs: 10, blockCacheMs: 20, backends: 3, backendLagBlocks: 2 },
      microForkRate: 0.01,
      deadNodes: 'refuse',
    });
    expect(await hostile.stop()).toBe(0);
    const tidy = await startCli(['--port', '0', '--block-interval', '50', '--tidy']);
    const tidyState = (await rpc(tidy.sim.url, 'simnet_api.get_state', {})).result as { realism: unknown };
    expect(tidyState.realism).toEqual({
      readsIncludePending: false,
      propagationDelayMs: 0,
      proxy: false,
      microForkRate: 0,
      deadNodes: 'refuse',
    });
    expect(await tidy.stop()).toBe(0);
  });

  it.each([
    [['--proxy', '1,2,3'], /--proxy/],
    [['--proxy', '1,2,0,1'], /backends/],
    [['--micro-fork-rate', 'often'], /--micro-fork-rate/],
    [['--micro-fork-rate', '0.9'], /microForkRate/],
    [['--dead-nodes', 'maybe'], /--dead-nodes/],
    [['--propagation-delay', '-3'], /--propagation-delay/],
    [['--reads-include-pending', 'yes'], /--reads-include-pending/],
    [['--realism', 'kind'], /--realism/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const stderr = capture();
    const code = await runSimnetCli(['--port', '0', ...args], { stdout: capture(), stderr, handleSignals: false });
    expect(code).toBe(2);
    expect(stderr.lines.join('\n')).toMatch(message);
  });
});
