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
  it("reports each node's freshness as its last read's verdict, which does not decay between the trap's reads", () => {
    // Between slots the trap reads rarely: the chain client's `available` is its last read's verdict, and that is
    // what the gauge shows.
    const metrics = new TrapMetrics({
      witness: 'alice',
      staleAfterMs: 30_000,
      nodes: () => [
        { url: 'http://127.0.0.1:1', fresh: true, available: true, headAgeMs: 1500, failures: 0 },
        { url: 'http://127.0.0.1:2', fresh: false, available: false, headAgeMs: 45_000, failures: 0 },
        {
          url: 'http://127.0.0.1:3',
          fresh: false,
          available: false,
          headAgeMs: 900,
          failures: 2,
          lastError: 'timeout',
        },
      ],
    });
    const text = metrics.render();
    expect(text).toContain('witness_trap_node_fresh{node="http://127.0.0.1:1"} 1');
    expect(text).toContain('witness_trap_node_fresh{node="http://127.0.0.1:2"} 0');
    expect(text).toContain('witness_trap_node_fresh{node="http://127.0.0.1:3"} 0');
    expect(text).toContain('witness_trap_rpc_nodes_available{witness="alice"} 1');
    expect(text).toContain('witness_trap_rpc_nodes_configured{witness="alice"} 3');
  });

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
      nodes: () => [
        {
          url: 'http://user:secret@127.0.0.1:8090/path?key=k',
          fresh: true,
          available: true,
          headAgeMs: 1500,
          failures: 0,
        },
      ],
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

  it('shows a broadcast switch as pending until confirmed or failed, exhaustion, backup health, build and process figures', () => {
    const events = new Events();
    let now = 5_000_000;
    const other = 'STM5iDbudA3aRRtxt3CHNV3ZLSHn5GwyeKaemwpoNmnbFbs1nvzX7';
    const metrics = new TrapMetrics(
      { witness: 'alice', version: '0.1.0', backupKeys: [KEY, other], now: () => now },
      () => ({
        startTimeSeconds: 1700000000.5,
        cpuSecondsTotal: 1.25,
        residentMemoryBytes: 70_000_000,
        heapUsedBytes: 20_000_000,
        heapTotalBytes: 30_000_000,
      }),
    ).observe(events);
    const w = 'witness="alice"';
    const broadcast = (dryRun: boolean) =>
      events.emit('broadcast', {
        txId: 'ab',
        operation: 'witness_set_properties',
        fromKey: KEY,
        toKey: other,
        acceptedBy: [],
        attempt: 1,
        dryRun,
      });
    broadcast(true);
    expect(metrics.render()).toContain(`witness_trap_switch_pending{${w}} 0`);
    broadcast(false);
    expect(metrics.render()).toContain(`witness_trap_switch_pending{${w}} 1`);
    expect(metrics.render()).toContain(`witness_trap_last_broadcast_timestamp_seconds{${w}} 5000`);
    now += 1000;
    events.emit('failed', {
      witness: 'alice',
      fromKey: KEY,
      toKey: other,
      attempts: 3,
      error: new Error('x') as never,
    });
    expect(metrics.render()).toContain(`witness_trap_switch_pending{${w}} 0`);
    events.emit('exhausted', { witness: 'alice', triedKeys: [other], killSwitch: false });
    expect(metrics.render()).toContain(`witness_trap_backups_exhausted{${w}} 1`);
    broadcast(false);
    events.emit('confirmed', {
      witness: 'alice',
      fromKey: KEY,
      toKey: other,
      blockNum: 9,
      byPeer: false,
      elapsedMs: 10,
    });
    expect(metrics.render()).toContain(`witness_trap_switch_pending{${w}} 0`);
    expect(metrics.render()).toContain(`witness_trap_backups_exhausted{${w}} 0`);
    broadcast(false);
    events.emit('recovered', { witness: 'alice', blockNum: 12, key: KEY });
    expect(metrics.render()).toContain(`witness_trap_switch_pending{${w}} 0`);

    // Only backups with a health URL are shown, each with its place in the list; other keys are not backups.
    expect(metrics.render()).not.toMatch(/^witness_trap_backup_up\{/m);
    metrics.setBackupHealth([
      { key: other, up: false },
      { key: 'STM6mFEFSTcXtimShM3SyUiitdW2KxTM8kv8c87D9Q5BXfAH7E6Zs', up: true },
    ]);
    const text = metrics.render();
    expect(text).toContain(`witness_trap_backup_up{${w},key="${other}",backup="2"} 0`);
    expect(text.match(/^witness_trap_backup_up\{/gm)).toHaveLength(1);

    expect(text).toContain(`witness_trap_build_info{${w},version="0.1.0",nodejs="${process.versions.node}"} 1`);
    expect(text).toContain('process_start_time_seconds 1700000000.5');
    expect(text).toContain('process_cpu_seconds_total 1.25');
    expect(text).toContain('process_resident_memory_bytes 70000000');
    expect(text).toContain('nodejs_heap_size_used_bytes 20000000');
  });
});
