/**
 * @module
 * Platform: traffic, latency and error rates per provider and region, routing decisions and
 * fallbacks, failover drills, incidents with their runbook steps, cache hit rates.
 */
import { apiGet } from "../api";
import { lineChart } from "../chart";
import { h } from "../dom";
import { daysAgo, duration, int, pct, when } from "../format";
import { recordsLink } from "../records";
import { dataTable } from "../table";
import { badge, kpi, kpiRow, section, stack } from "../ui";
import { distinct, page, PALETTE, qs, type List, type UsageRow } from "./common";

interface TrafficStat {
  provider: string; region: string; requests: number; errors: number; error_rate: number; p50_ms: number; p95_ms: number;
  fallbacks: number; fallback_rate: number; cache_hit_rate: number | null; cache_hits: number; cache_lookups: number;
}
interface Traffic { days: number; edge_region: string; data: TrafficStat[] }
interface Drill { id: string; ts: string; model: string; provider: string; fallback_provider: string | null; verdict: string; rerouted: boolean; recovery_ms: number | null; trigger: string }
interface Incident { id: string; kind: string; title: string; severity: string; status: string; team: string | null; timeline: { detected_at: string | null }; ttd_ms: number | null; ttr_ms: number | null }
interface IncidentDetail extends Incident { steps: Array<{ ts: string; step: string; outcome: string; inputs?: unknown }> }

const DAYS = 14;
const TRAFFIC = `/admin/v1/dashboard/traffic?days=${DAYS}`;

function totals(rows: TrafficStat[]) {
  const sum = (f: (r: TrafficStat) => number) => rows.reduce((a, r) => a + f(r), 0);
  const requests = sum((r) => r.requests);
  const lookups = sum((r) => r.cache_lookups);
  return {
    requests, errorRate: requests ? sum((r) => r.errors) / requests : 0, fallbacks: sum((r) => r.fallbacks),
    p95: Math.max(0, ...rows.map((r) => r.p95_ms)), cacheRate: lookups ? sum((r) => r.cache_hits) / lookups : null,
  };
}

function trafficSection(): HTMLElement {
  return section(`Traffic by provider and region (last ${DAYS} days)`, async () => {
    const t = await apiGet<Traffic>(TRAFFIC);
    const sum = totals(t.data);
    const usage = (_provider: string) => `/admin/v1/usage${qs({ group_by: "provider,day", from: daysAgo(new Date(), DAYS) })}`;
    return stack(
      kpiRow(
        kpi("Requests", int(sum.requests), TRAFFIC),
        kpi("Error rate", pct(sum.errorRate, 2), TRAFFIC, "5xx, 408 and 429 answers", sum.errorRate > 0.02 ? "bad" : "good"),
        kpi("Worst p95 latency", duration(sum.p95), TRAFFIC),
        kpi("Fallbacks", int(sum.fallbacks), TRAFFIC, "served after the first choice failed"),
        kpi("Cache hit rate", pct(sum.cacheRate), TRAFFIC, "of requests that looked the cache up"),
      ),
      dataTable({
        name: "traffic", caption: "Providers", rows: t.data, sort: { column: 2, direction: "descending" },
        empty: "No requests in this window.",
        columns: [
          { label: "Provider", value: (r) => r.provider },
          { label: "Region", value: (r) => r.region },
          { label: "Requests", value: (r) => r.requests, numeric: true, render: (r) => recordsLink(int(r.requests), usage(r.provider)) },
          { label: "Error rate", value: (r) => r.error_rate, numeric: true, render: (r) => recordsLink(pct(r.error_rate, 2), TRAFFIC) },
          { label: "p50", value: (r) => r.p50_ms, numeric: true, render: (r) => recordsLink(duration(r.p50_ms), TRAFFIC) },
          { label: "p95", value: (r) => r.p95_ms, numeric: true, render: (r) => recordsLink(duration(r.p95_ms), TRAFFIC) },
          { label: "Fallbacks", value: (r) => r.fallbacks, numeric: true, render: (r) => recordsLink(int(r.fallbacks), TRAFFIC) },
          { label: "Cache hit rate", value: (r) => r.cache_hit_rate, numeric: true, render: (r) => recordsLink(pct(r.cache_hit_rate), TRAFFIC) },
        ],
      }),
      h("p", { class: "note" }, `Request metadata of this edge's zone (${t.edge_region}); failover-drill traffic excluded.`),
    );
  }, { name: "traffic" });
}

function dailySection(): HTMLElement {
  return section("Daily requests and error rate per provider (30 days)", async () => {
    const path = `/admin/v1/usage${qs({ group_by: "provider,day", from: daysAgo(new Date(), 30) })}`;
    const u = await apiGet<{ data: UsageRow[] }>(path);
    // Whole days only (today is still filling up), and only requests a provider served: refusals
    // before routing ("-") have no provider to chart.
    const today = new Date().toISOString().slice(0, 10);
    const rows = u.data.filter((r) => r.day! < today && r.provider && r.provider !== "-");
    const days = distinct(rows.map((r) => r.day!));
    const providers = distinct(rows.map((r) => r.provider!));
    const at = new Map(rows.map((r) => [`${r.provider}|${r.day}`, r]));
    const series = (f: (r: UsageRow) => number) => providers.map((p, i) => ({ label: p, color: PALETTE[i % PALETTE.length], values: days.map((d) => { const r = at.get(`${p}|${d}`); return r ? f(r) : null; }) }));
    return stack(
      lineChart({ title: "Requests per day", days, series: series((r) => r.requests), yLabel: "requests" }),
      lineChart({ title: "Error rate per day", days, series: series((r) => (r.requests ? r.errors / r.requests : 0)), yLabel: "error rate", format: (v) => pct(v) }),
      h("p", { class: "note" }, "Numbers behind both charts: ", recordsLink(`${int(rows.reduce((a, r) => a + r.requests, 0))} requests`, path)),
    );
  }, { name: "daily" });
}

function drillsSection(): HTMLElement {
  const path = "/admin/v1/failover-drills?limit=50";
  return section("Failover drills", async () => {
    const d = await apiGet<List<Drill>>(path);
    return dataTable({
      name: "drills", caption: "Drills, newest first", rows: d.data, empty: "No drill has run yet (daily at 03:00 UTC).",
      columns: [
        { label: "When", value: (r) => r.ts, render: (r) => when(r.ts) },
        { label: "Model", value: (r) => r.model },
        { label: "Primary → fallback", value: (r) => `${r.provider} → ${r.fallback_provider ?? "–"}` },
        { label: "Verdict", value: (r) => r.verdict, render: (r) => badge(r.verdict, r.verdict === "pass" ? "good" : "bad") },
        { label: "Recovery", value: (r) => r.recovery_ms, numeric: true, render: (r) => recordsLink(duration(r.recovery_ms), `/admin/v1/failover-drills?model=${encodeURIComponent(r.model)}&limit=50`) },
      ],
    });
  }, { name: "drills" });
}

function incidentsSection(): HTMLElement {
  return section("Incidents and their runbook steps", async () => {
    const list = await apiGet<List<Incident>>("/admin/v1/incidents?limit=50");
    const latest = list.data[0] ? await apiGet<IncidentDetail>(`/admin/v1/incidents/${encodeURIComponent(list.data[0].id)}`) : null;
    return stack(
      dataTable({
        name: "incidents", caption: "Incidents, newest first", rows: list.data, empty: "No incidents.",
        columns: [
          { label: "Detected", value: (r) => r.timeline.detected_at, render: (r) => when(r.timeline.detected_at) },
          { label: "Incident", value: (r) => r.title, render: (r) => recordsLink(r.title, `/admin/v1/incidents/${encodeURIComponent(r.id)}`) },
          { label: "Kind", value: (r) => r.kind },
          { label: "Status", value: (r) => r.status, render: (r) => badge(r.status, r.status === "resolved" ? "good" : "warn") },
          { label: "Time to detect", value: (r) => r.ttd_ms, numeric: true, render: (r) => duration(r.ttd_ms) },
          { label: "Time to resolve", value: (r) => r.ttr_ms, numeric: true, render: (r) => duration(r.ttr_ms) },
        ],
      }),
      latest ? h("div", { class: "steps" }, h("h3", {}, `Runbook steps of the latest: ${latest.title}`),
        h("ol", {}, latest.steps.map((s) => h("li", {}, h("strong", {}, s.step), " ", badge(s.outcome, s.outcome === "ok" ? "good" : "warn"), ` ${when(s.ts)}`)))) : null,
    );
  }, { name: "incidents" });
}

function cacheSection(): HTMLElement {
  const path = `/admin/v1/usage${qs({ group_by: "workload", from: daysAgo(new Date(), 30) })}`;
  return section("Cache hit rates per workload (30 days)", async () => {
    const u = await apiGet<{ data: UsageRow[] }>(path);
    return dataTable({
      name: "cache", caption: "Workloads", rows: u.data, sort: { column: 2, direction: "descending" },
      columns: [
        { label: "Workload", value: (r) => r.workload },
        { label: "Requests", value: (r) => r.requests, numeric: true, render: (r) => recordsLink(int(r.requests), `/admin/v1/usage${qs({ group_by: "day", workload: r.workload, from: daysAgo(new Date(), 30) })}`) },
        { label: "Cache hits", value: (r) => (r.requests ? r.cache_hits / r.requests : 0), numeric: true, render: (r) => recordsLink(`${int(r.cache_hits)} (${pct(r.requests ? r.cache_hits / r.requests : 0)})`, path) },
      ],
    });
  }, { name: "cache", wide: false });
}

function routingSection(): HTMLElement {
  const path = "/admin/v1/routing/rules";
  return section("Routing rules in force", async () => {
    const r = await apiGet<List<{ scope: string; subject: string; version: number; author: string; created_at: string }>>(path);
    return dataTable({
      name: "routing", caption: "Rules", rows: r.data, empty: "No custom rules: every model routes by its catalog order with health-based fallback.",
      columns: [
        { label: "Scope", value: (x) => `${x.scope}/${x.subject}` },
        { label: "Version", value: (x) => x.version, numeric: true, render: (x) => recordsLink(String(x.version), `/admin/v1/routing/rules/${x.scope}/${encodeURIComponent(x.subject)}/versions`) },
        { label: "Author", value: (x) => x.author },
        { label: "Changed", value: (x) => x.created_at, render: (x) => when(x.created_at) },
      ],
    });
  }, { name: "routing", wide: false });
}

export function platformView(): HTMLElement {
  return page("Platform", "Is every provider healthy, is failover proven, and what broke this week?",
    trafficSection(), dailySection(), incidentsSection(), drillsSection(), cacheSection(), routingSection());
}
