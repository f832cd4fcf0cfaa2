/**
 * @module
 * Workloads: lifecycle state, golden datasets and their coverage, evaluation runs and quality
 * trends, model-upgrade recommendations.
 */
import { apiGet } from "../api";
import { lineChart } from "../chart";
import { h, replace } from "../dom";
import { int, pct, usd, when } from "../format";
import { recordsLink } from "../records";
import { dataTable } from "../table";
import type { SessionClaims } from "../session";
import { badge, section, stack } from "../ui";
import { page, type List } from "./common";

interface Workload { id: string; team: string; name?: string; lifecycle: string; default_data_class: string; allowed_models: string[] }
interface Dataset { workload: string; version: number; suite: string; examples: number; coverage: number; created_at: string }
interface RunRow { id: string; workload: string; suite: string; model: string; total: number; created_at: string }
interface RunDetail extends RunRow { status: string; pass_rate: number | null; cost_usd: number; progress?: { done: number; total: number } }
interface Quality { workload: string; days: number; trend: Array<{ day: string; mean_score?: number; pass_rate?: number; samples?: number }>; regression: { regressed: boolean; reason?: string } }
interface Recommendation { id?: string; workload?: string; model?: string; candidate?: string; action?: string; status?: string; created_at?: string }

const TONE: Record<string, "good" | "warn" | "bad" | "neutral"> = { production: "good", staging: "warn", dev: "neutral", deprecated: "bad", decommissioned: "bad" };

function workloadsSection(): HTMLElement {
  return section("Workloads, lifecycle and datasets", async () => {
    const w = await apiGet<List<Workload>>("/admin/v1/workloads");
    const datasets = await Promise.all(w.data.map((x) => apiGet<List<Dataset>>(`/admin/v1/workloads/${encodeURIComponent(x.id)}/datasets`).then((d) => d.data, () => [] as Dataset[])));
    const rows = w.data.map((x, i) => ({ w: x, golden: datasets[i].filter((d) => d.suite === "golden").sort((a, b) => b.version - a.version)[0] }));
    return dataTable({
      name: "workloads", caption: "Workloads", rows,
      columns: [
        { label: "Workload", value: (r) => r.w.id, render: (r) => recordsLink(r.w.id, `/admin/v1/workloads/${encodeURIComponent(r.w.id)}`) },
        { label: "Team", value: (r) => r.w.team },
        { label: "Lifecycle", value: (r) => r.w.lifecycle, render: (r) => h("span", {}, badge(r.w.lifecycle, TONE[r.w.lifecycle] ?? "neutral"), " ", recordsLink("history", `/admin/v1/workloads/${encodeURIComponent(r.w.id)}/transitions`)) },
        { label: "Data class", value: (r) => r.w.default_data_class },
        { label: "Golden set", value: (r) => r.golden?.examples, numeric: true, render: (r) => (r.golden ? recordsLink(`v${r.golden.version} · ${int(r.golden.examples)} examples`, `/admin/v1/workloads/${encodeURIComponent(r.w.id)}/datasets`) : "none") },
        { label: "Coverage", value: (r) => r.golden?.coverage, numeric: true, render: (r) => (r.golden ? recordsLink(pct(r.golden.coverage, 0), `/admin/v1/workloads/${encodeURIComponent(r.w.id)}/datasets/${r.golden.version}?examples=false`) : "–") },
      ],
    });
  }, { name: "workloads" });
}

/** Latest runs: all of them, or per owned workload for a team owner (the API lists theirs that way). */
async function latestRuns(claims: SessionClaims): Promise<RunRow[]> {
  if (claims.role !== "team-owner") return (await apiGet<List<RunRow>>("/admin/v1/evals/runs")).data;
  const workloads = await apiGet<List<Workload>>("/admin/v1/workloads");
  const lists = await Promise.all(workloads.data.map((w) => apiGet<List<RunRow>>(`/admin/v1/evals/runs?workload=${encodeURIComponent(w.id)}`)));
  return lists.flatMap((l) => l.data).sort((a, b) => b.created_at.localeCompare(a.created_at));
}

function runsSection(claims: SessionClaims): HTMLElement {
  return section("Evaluation runs", async () => {
    const runs = await latestRuns(claims);
    const details = await Promise.all(runs.slice(0, 30).map((r) => apiGet<RunDetail>(`/admin/v1/evals/runs/${encodeURIComponent(r.id)}`)));
    return dataTable({
      name: "eval-runs", caption: "Latest runs", rows: details, empty: "No evaluation runs yet.",
      columns: [
        { label: "When", value: (r) => r.created_at, render: (r) => when(r.created_at) },
        { label: "Workload", value: (r) => r.workload },
        { label: "Suite", value: (r) => r.suite },
        { label: "Model", value: (r) => r.model },
        { label: "Pass rate", value: (r) => r.pass_rate, numeric: true, render: (r) => recordsLink(pct(r.pass_rate), `/admin/v1/evals/runs/${encodeURIComponent(r.id)}`) },
        { label: "Cases", value: (r) => r.progress?.total ?? r.total, numeric: true, render: (r) => int(r.progress?.total ?? r.total) },
        { label: "Cost", value: (r) => r.cost_usd, numeric: true, render: (r) => usd(r.cost_usd) },
        { label: "Status", value: (r) => r.status },
      ],
    });
  }, { name: "eval-runs" });
}

function qualitySection(): HTMLElement {
  return section("Quality trend from production samples", async () => {
    const w = await apiGet<List<Workload>>("/admin/v1/workloads");
    const select = h("select", { id: "quality-workload" }, w.data.map((x) => h("option", { value: x.id }, x.id)));
    const out = h("div", { class: "quality" });
    const show = async () => {
      const path = `/admin/v1/workloads/${encodeURIComponent(select.value)}/quality?days=30`;
      const q = await apiGet<Quality>(path);
      const days = q.trend.map((t) => t.day);
      replace(out,
        q.trend.length ? lineChart({ title: `Quality of ${q.workload}`, days, yLabel: "score", format: (v) => pct(v, 0), series: [{ label: "mean score", color: "#1e8449", values: q.trend.map((t) => t.mean_score ?? t.pass_rate ?? null) }] }) : null,
        h("p", {}, recordsLink(`${q.trend.length} days scored`, path), " · regression check: ", q.regression.regressed ? badge("regressed", "bad") : badge("no regression", "good"), q.regression.reason ? ` (${q.regression.reason})` : ""));
    };
    select.addEventListener("change", () => void show());
    await show();
    return stack(h("label", { for: "quality-workload" }, "Workload "), select, out);
  }, { name: "quality", wide: false });
}

function recommendationsSection(): HTMLElement {
  const path = "/admin/v1/evals/recommendations";
  return section("Model-upgrade recommendations", async () => {
    const r = await apiGet<List<Recommendation>>(path);
    return dataTable({
      name: "recommendations", caption: "Recommendations", rows: r.data, empty: "No upgrade candidate evaluated yet.",
      columns: [
        { label: "Workload", value: (x) => x.workload },
        { label: "Candidate", value: (x) => x.candidate ?? x.model, render: (x) => recordsLink(String(x.candidate ?? x.model ?? "–"), path) },
        { label: "Action", value: (x) => x.action },
        { label: "Status", value: (x) => x.status },
      ],
    });
  }, { name: "recommendations", wide: false });
}

export function workloadsView(claims: SessionClaims): HTMLElement {
  return page("Workloads", "Which workloads are live, how well they are tested, and whether quality holds.",
    workloadsSection(), runsSection(claims), qualitySection(), recommendationsSection());
}
