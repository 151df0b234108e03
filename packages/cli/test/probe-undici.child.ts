/**
 * Run by probe-footprint.test.ts in a fresh Node process: probes a simnet node the way `run` does before it arms, and
 * prints the probe and whether Node loaded undici (the engine of the global `fetch`) on the way.
 */
import { startSimnet } from '@witness-trap/simnet';
import { probeNode } from '../src/node-probe.js';

// Node's list of its own modules loaded so far (undocumented in @types/node, stable since Node 0.x).
const undiciLoaded = () =>
  (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((name) => name.includes('undici'));
// The hostile defaults: a probe answered or not, the question is only what it loaded.
const sim = await startSimnet({ blockIntervalMs: 100 });
// What was loaded before the probe (seen once under Node 22 in CI: Node, tsx or the simulated chain) is not the
// probe's doing; the probe must load none of it itself.
const before = new Set(undiciLoaded());
try {
  const url = sim.urls[0] ?? '';
  const probe = await probeNode(url, { timeoutMs: 5000 });
  const undici = undiciLoaded().filter((name) => !before.has(name));
  process.stdout.write(`${JSON.stringify({ chainId: probe.chainId, expected: sim.chainId, undici })}\n`);
} finally {
  await sim.stop();
}
