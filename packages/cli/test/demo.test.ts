import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from './harness.js';

beforeAll(async () => {
  await buildCli();
}, 60_000);

interface LogRecord {
  event: string;
  level: string;
  message: string;
  blockNum?: number;
}

describe('witness-trap demo', () => {
  it('tells the whole failover story offline and exits 0', async () => {
    const result = await runCli(['demo', '--block-interval', '150'], { timeoutMs: 60_000 });
    const records = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogRecord);
    const events = records.map((record) => record.event);
    expect(result.code, result.stderr).toBe(0);
    expect(events).toEqual(
      expect.arrayContaining(['armed', 'missed', 'triggered', 'broadcast', 'confirmed', 'demo-summary']),
    );
    expect(events.indexOf('missed')).toBeLessThan(events.indexOf('broadcast'));
    expect(events.indexOf('broadcast')).toBeLessThan(events.indexOf('confirmed'));
    const summary = records.find((record) => record.event === 'demo-summary');
    expect(summary?.message).toMatch(/backup node produced block \d+/);
  }, 70_000);
});
