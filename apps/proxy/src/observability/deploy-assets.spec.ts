// Every metric a Grafana dashboard or a Prometheus alert queries is one the apps register, with the
// labels it selects on; the chart ships the same dashboards and rules as deploy/.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AdminMetrics, IngestionMetrics } from '@leeway/telemetry';
import { describe, expect, it } from 'vitest';
import { registerLedgerMetrics } from '../ledger/ledger';
import type { LedgerExchangeSink } from '../ledger/ledger.sink';
import { ProxyMetrics } from './proxy.metrics';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DASHBOARDS = `${ROOT}deploy/grafana/dashboards`;
const CHART_DASHBOARDS = `${ROOT}helm/leeway/dashboards`;
const RULES = `${ROOT}deploy/prometheus/rules/leeway-alerts.yml`;
const CHART_RULES = `${ROOT}helm/leeway/rules/leeway-alerts.yml`;
/** Series Prometheus itself provides, and labels every scraped series carries. */
const PROMETHEUS_BUILTINS = new Set(['up']);
const TARGET_LABELS = new Set(['job', 'instance', 'le', 'quantile', 'namespace', 'pod', 'service']);
const HISTOGRAM_SUFFIX = /_(bucket|count|sum)$/;

interface Registered {
  readonly labels: ReadonlySet<string>;
}

async function registeredMetrics(): Promise<Map<string, Registered>> {
  const registered = new Map<string, Registered>();
  const proxy = new ProxyMetrics().registry;
  // The ledger's gauges, registered on the proxy registry when a ledger is configured (read at scrape time only).
  registerLedgerMetrics(proxy, { stats: () => { throw new Error('not scraped here'); } } as unknown as LedgerExchangeSink);
  const registries = [proxy, new AdminMetrics().registry, new IngestionMetrics().registry];
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const labelNames = (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
      registered.set(metric.name, { labels: new Set(labelNames) });
    }
  }
  // The ingestion app registers its own prom-client metrics (apps/ingestion/src/start-ingestion.ts);
  // apps may not import each other, so those registrations are read from the source.
  const ingestion = readFileSync(`${ROOT}apps/ingestion/src/start-ingestion.ts`, 'utf8');
  for (const match of ingestion.matchAll(/new (?:Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-z_:]+)',([\s\S]*?)registers/g)) {
    const labelList = /labelNames: \[([^\]]*)\]/.exec(match[2]!)?.[1] ?? '';
    const labels = labelList.split(',').map((s) => s.trim().replace(/['"]/g, '')).filter(Boolean);
    registered.set(match[1]!, { labels: new Set(labels) });
  }
  return registered;
}

interface Reference {
  readonly source: string;
  readonly metric: string;
  readonly labels: readonly string[];
}

/** Metric names (and the labels their selectors use) referenced by a PromQL expression. */
function references(source: string, expr: string): Reference[] {
  const refs: Reference[] = [];
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const match of withoutStrings.matchAll(/\b([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?/g)) {
    const name = match[1]!;
    if (!/^(leeway_|nodejs_|process_)/.test(name) && !PROMETHEUS_BUILTINS.has(name)) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
    refs.push({ source, metric: name, labels });
  }
  return refs;
}

function dashboardExpressions(file: string): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
    templating: { list: { name: string; query?: string | { query: string } }[] };
  };
  const out = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    const labelValues = query ? /^label_values\((\w+),\s*(\w+)\)$/.exec(query) : null;
    if (labelValues) out.push({ title: `$${variable.name}`, expr: `${labelValues[1]}{${labelValues[2]}=""}` });
  }
  return out;
}

function ruleExpressions(file: string): { title: string; expr: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/- alert: (\w+)\n\s+expr: (.+)\n/g)].map((m) => ({ title: m[1]!, expr: m[2]! }));
}

function check(refs: readonly Reference[], registered: Map<string, Registered>): string[] {
  const problems: string[] = [];
  for (const ref of refs) {
    if (PROMETHEUS_BUILTINS.has(ref.metric)) continue;
    const metric = registered.get(ref.metric) ?? registered.get(ref.metric.replace(HISTOGRAM_SUFFIX, ''));
    if (!metric) {
      problems.push(`${ref.source}: ${ref.metric} is not registered by any app`);
      continue;
    }
    for (const label of ref.labels) {
      if (!metric.labels.has(label) && !TARGET_LABELS.has(label)) problems.push(`${ref.source}: ${ref.metric} has no label ${label}`);
    }
  }
  return problems;
}

describe('dashboards and alert rules query registered metrics', () => {
  const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'));

  it('has the SRE, FinOps and Compression dashboards, each valid JSON with unique panel ids', () => {
    expect(files.sort()).toEqual(['leeway-compression.json', 'leeway-finops.json', 'leeway-sre.json']);
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(`${DASHBOARDS}/${file}`, 'utf8')) as { uid: string; panels: { id: number }[] };
      expect(dashboard.uid).toMatch(/^leeway-/);
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('every dashboard query references metrics and labels the code registers', async () => {
    const registered = await registeredMetrics();
    const refs = files.flatMap((file) =>
      dashboardExpressions(`${DASHBOARDS}/${file}`).flatMap((q) => references(`${file} / ${q.title}`, q.expr)),
    );
    expect(refs.length).toBeGreaterThan(40);
    expect(check(refs, registered)).toEqual([]);
  });

  it('every alert rule references metrics and labels the code registers', async () => {
    const registered = await registeredMetrics();
    const rules = ruleExpressions(RULES);
    expect(rules.length).toBeGreaterThanOrEqual(10);
    const refs = rules.flatMap((r) => references(r.title, r.expr));
    expect(check(refs, registered)).toEqual([]);
  });

  it('fails on a metric nobody registers or a label it does not have', async () => {
    const registered = await registeredMetrics();
    expect(check(references('probe', 'sum(rate(leeway_proxy_requests_totl[5m]))'), registered)).toHaveLength(1);
    expect(check(references('probe', 'sum(rate(leeway_proxy_requests_total{route="x"}[5m]))'), registered)).toHaveLength(1);
    expect(check(references('probe', 'histogram_quantile(0.9, rate(leeway_proxy_overhead_seconds_bucket{provider="openai"}[5m]))'), registered)).toEqual([]);
  });

  it('the chart ships the same dashboards and rules as deploy/', () => {
    for (const file of files) {
      expect(readFileSync(`${CHART_DASHBOARDS}/${file}`, 'utf8'), file).toBe(readFileSync(`${DASHBOARDS}/${file}`, 'utf8'));
    }
    expect(readFileSync(CHART_RULES, 'utf8')).toBe(readFileSync(RULES, 'utf8'));
  });
});
