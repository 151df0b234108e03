import { EventEmitter } from 'node:events';
import type { TrapEvents } from '@witness-trap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics, TrapMetrics } from './metrics.js';

class Events {
  private readonly emitter = new EventEmitter();
  on<K extends keyof TrapEvents>(event: K, listener: (payload: TrapEvents[K]) => void) {
    this.emitter.on(event, listener);
  }
  emit<K extends keyof TrapEvents>(event: K, payload: TrapEvents[K]) {
    this.emitter.emit(event, payload);
  }
}

const KEY = 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo';
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics server', () => {
  it('fails /healthz until the trap is armed and has seen a fresh head, then fails again when heads stop', async () => {
    let now = 1_000_000;
    const events = new Events();
    const metrics = new TrapMetrics({ witness: 'alice', staleAfterMs: 10_000, now: () => now }).observe(events);
    server = await serveMetrics(metrics, '127.0.0.1', 0);
    const health = async () => (await fetch(`${server?.url}/healthz`)).status;
    expect(await health()).toBe(503);
    events.emit('armed', {
      witness: 'alice',
      currentKey: KEY,
      nextKey: KEY,
      backupKeys: [KEY],
      operation: 'witness_set_properties',
      baselineTotalMissed: 0,
      mode: 'one-shot',
      dryRun: false,
      resumed: false,
    });
    expect(await health()).toBe(503);
    events.emit('block', { number: 42, witness: 'bob', aslot: 50, time: now, node: 'http://127.0.0.1:1' });
    expect(await health()).toBe(200);
    now += 11_000;
    expect(await health()).toBe(503);
  });

  it('exposes misses, switches, node freshness and the last notification result as Prometheus text', async () => {
    const events = new Events();
    const metrics = new TrapMetrics({
      witness: 'alice',
      nodes: () => [{ url: 'http://user:secret@127.0.0.1:8090/path?key=k', fresh: true, headAgeMs: 1500, failures: 0 }],
    }).observe(events);
    events.emit('missed', {
      witness: 'alice',
      aslot: 9,
      slotTime: 0,
      seenInBlock: 8,
      missesInWindow: 1,
      threshold: 1,
      key: KEY,
    });
    events.emit('confirmed', { witness: 'alice', fromKey: KEY, toKey: KEY, blockNum: 9, byPeer: false, elapsedMs: 10 });
    events.emit('notify-failed', {
      notifier: 'twilio',
      kind: 'confirmed',
      error: Object.assign(new Error('x'), { code: 'X' }) as never,
    });
    server = await serveMetrics(metrics, '127.0.0.1', 0);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('witness_trap_misses_seen_total{witness="alice"} 1');
    expect(text).toContain('witness_trap_switches_total{witness="alice",outcome="confirmed"} 1');
    expect(text).toContain('witness_trap_node_fresh{node="http://127.0.0.1:8090"} 1');
    expect(text).toContain('witness_trap_node_head_age_seconds{node="http://127.0.0.1:8090"} 1.5');
    expect(text).toContain('witness_trap_last_notification_success{notifier="twilio"} 0');
    expect(text).not.toContain('secret');
  });

  it('shows witness_trap_paused as 1 between paused and resumed', () => {
    const events = new Events();
    const metrics = new TrapMetrics({ witness: 'alice' }).observe(events);
    expect(metrics.render()).toContain('witness_trap_paused{witness="alice"} 0');
    events.emit('paused', { at: 1, by: 'telegram:42' });
    expect(metrics.render()).toContain('# TYPE witness_trap_paused gauge\nwitness_trap_paused{witness="alice"} 1');
    events.emit('resumed', { at: 2, by: 'telegram:42' });
    expect(metrics.render()).toContain('witness_trap_paused{witness="alice"} 0');
  });
});
