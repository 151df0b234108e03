/**
 * The shipped alerting rules and dashboard (examples/prometheus, examples/grafana) against the metrics the trap really
 * exports: every metric they name is one `/metrics` shows, every alert links a runbook section that exists, and every
 * alert has a promtool unit test that fires it and one that does not. promtool itself runs in CI
 * (scripts/check-prometheus.mjs).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TrapEvents } from '@witness-trap/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TrapMetrics } from '../src/metrics.js';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const read = (path: string) => readFileSync(root(path), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = (
  parse(read('examples/prometheus/witness-trap.rules.yml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
interface RuleTest {
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}
const ruleTests: RuleTest[] = (parse(read('examples/prometheus/witness-trap.rules.test.yml')) as { tests: RuleTest[] })
  .tests;
const dashboard = JSON.parse(read('examples/grafana/witness-trap-dashboard.json')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

/** Series Prometheus makes itself for every target. */
const PROMETHEUS_OWN = new Set(['up']);
/** PromQL's functions, aggregations and keywords that can appear where a metric name could. */
const PROMQL_WORDS = new Set(
  'absent increase rate irate max min sum avg count by without time and or unless on ignoring group_left group_right bool offset label_values'.split(
    ' ',
  ),
);

/** The metric names a PromQL expression reads. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return (bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []).filter((word) => !PROMQL_WORDS.has(word));
}

/** Every metric name `/metrics` shows, with every optional family populated. */
function exportedNames(): Set<string> {
  const events = new EventEmitter();
  const source = {
    on<K extends keyof TrapEvents>(event: K, listener: (payload: TrapEvents[K]) => void) {
      events.on(event, listener);
    },
  };
  const key = 'STM7RRMne4FT7R5kr8CKxN5LXrep7qJrqARwza2xXDtiahdtNBxGo';
  const metrics = new TrapMetrics({
    witness: 'alice',
    backupKeys: [key],
    nodes: () => [{ url: 'http://127.0.0.1:1', fresh: true, available: true, headAgeMs: 100, failures: 0 }],
  }).observe(source);
  metrics.setBackupHealth([{ key, up: true }]);
  events.emit('notified', { notifier: 'webhook', kind: 'confirmed', elapsedMs: 1 });
  const text = metrics.render();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] as string));
}

describe('the alerting rules and the dashboard', () => {
  const exported = exportedNames();

  it('name only metrics the trap exports (or Prometheus makes: up)', () => {
    const named = [
      ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ...dashboard.panels.flatMap((panel) =>
        panel.targets.map((target) => ({ where: `panel ${panel.title}`, expr: target.expr })),
      ),
    ];
    const unknown = named.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name) && !PROMETHEUS_OWN.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // And the check itself sees the names (a parser that found none would pass anything).
    expect(metricNames('max by (job) (witness_trap_node_fresh{job="x"}[5m]) == 0')).toEqual([
      'witness_trap_node_fresh',
    ]);
  });

  it('cover what an operator must be woken for', () => {
    const covered = rules.map((rule) => rule.expr).join('\n');
    for (const metric of [
      'up',
      'witness_trap_healthy',
      'witness_trap_misses_seen_total',
      'witness_trap_switch_pending',
      'witness_trap_node_fresh',
      'witness_trap_backup_up',
      'witness_trap_backups_exhausted',
      'witness_trap_paused',
    ]) {
      expect(covered, metric).toMatch(new RegExp(`\\b${metric}\\b`));
    }
  });

  it('give every alert a severity, a summary and a runbook section that exists in docs/operations.md', () => {
    const operations = read('docs/operations.md');
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(page|warning)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook_url, rule.alert).toBe(
        `https://github.com/witness-trap/witness-trap/blob/main/docs/operations.md#${rule.alert.toLowerCase()}`,
      );
      expect(operations, rule.alert).toContain(`\n### ${rule.alert}\n`);
    }
  });

  it('have a promtool unit test for every alert, firing and not firing', () => {
    const cases = ruleTests.flatMap((test) => test.alert_rule_test);
    for (const rule of rules) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${rule.alert} fires`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${rule.alert} stays quiet`,
      ).toBe(true);
    }
  });
});
