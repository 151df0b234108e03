/**
 * The footprint of the pre-flight probe: `run` asks each node its chain id before it arms. Through the global
 * `fetch` that first call loaded undici and compiled its WebAssembly HTTP parser, 13 to 18 MB of resident memory
 * a watch kept to the end (bench item 5: 80 MB against 62). The probe speaks Node's own http client instead.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('probes a node without loading undici (the global fetch), in a fresh process', () => {
  const child = fileURLToPath(new URL('./probe-undici.child.ts', import.meta.url));
  // A fresh process: vitest itself may have loaded undici in this one.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', child], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  const said = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
    chainId?: string;
    expected: string;
    undici: string[];
  };
  expect(said.chainId).toBe(said.expected);
  expect(said.undici).toEqual([]);
}, 70_000);
