import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dhive, NodeRipemd160 } from './dhive-lib.js';

const require = createRequire(import.meta.url);
const dhiveRequire = createRequire(require.resolve('@hiveio/dhive'));

describe('dhive, loaded through dhive-lib', () => {
  it("gives Node's ripemd160 the ripemd160 package's answers", () => {
    const Ripemd160 = dhiveRequire('ripemd160') as new () => { update(d: Buffer): { digest(): Buffer } };
    for (const length of [0, 1, 33, 55, 56, 63, 64, 65, 200]) {
      const bytes = randomBytes(length);
      expect(new NodeRipemd160().update(bytes).digest()).toEqual(new Ripemd160().update(bytes).digest());
    }
    expect(new NodeRipemd160().update('abc').digest('hex')).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
  });

  it('reads and writes keys as dhive always has', () => {
    const key = dhive().PrivateKey.fromString('5JNHfZYKGaomSFvd4NUdQ9qMcEAC43kujbfjueTHpVapX1Kzq2n');
    expect(key.createPublic().toString()).toBe('STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4');
    expect(() => dhive().PublicKey.fromString('STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg5')).toThrow();
  });

  it('in a fresh process: loads neither cross-fetch nor ripemd160, and fetches with the real cross-fetch when asked', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      `const { dhive } = await import(${JSON.stringify(fileURLToPath(new URL('./dhive-lib.ts', import.meta.url)))});`,
      'const lib = dhive();',
      'const cache = createRequire(import.meta.url).cache;',
      "const loaded = (name) => Object.keys(cache).some((path) => path.includes('/node_modules/' + name + '/'));",
      "const before = { crossFetch: loaded('cross-fetch'), nodeFetch: loaded('node-fetch'), ripemd160: loaded('ripemd160'), readableStream: loaded('readable-stream') };",
      // dhive's Client fetches through the stand-in: its first request loads the real cross-fetch (and fails fast here).
      "const client = new lib.Client('http://127.0.0.1:9', { timeout: 2000, failoverThreshold: 0 });",
      'const error = await client.database.getDynamicGlobalProperties().then(() => undefined, (e) => String(e));',
      "console.log(JSON.stringify({ before, after: { crossFetch: loaded('cross-fetch'), nodeFetch: loaded('node-fetch') }, error }));",
    ].join('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(out.before).toEqual({ crossFetch: false, nodeFetch: false, ripemd160: false, readableStream: false });
    expect(out.after).toEqual({ crossFetch: true, nodeFetch: true });
    expect(out.error).toMatch(/ECONNREFUSED/);
  });
});
