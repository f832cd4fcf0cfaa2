/**
 * @module
 * Overview: the Stage 3 self-assessment as a scorecard (per layer, each criterion with its
 * evidence and what is missing) and its history (GET /admin/v1/maturity, /maturity/history;
 * contract in the README), beside this month's headline numbers.
 */
import { apiGet } from "../api";
import { lineChart } from "../chart";
import { h } from "../dom";
import { int, monthStart, pct, usd, when } from "../format";
import { recordsLink } from "../records";
import { dataTable } from "../table";
import { badge, kpi, kpiRow, section, stack } from "../ui";
import { page, qs, type List, type UsageRow } from "./common";

interface Score { met: number; not_met: number; not_applicable: number; total: number; percent: number }
interface Criterion { id: string; text: string; status: "met" | "not_met" | "not_applicable"; reason?: string; evidence: Array<{ label: string; href: string; at?: string }>; missing: string[] }
interface Maturity { assessed_at: string; score: Score; layers: Array<{ id: string; name: string; score: Score; criteria: Criterion[] }> }
interface Snapshot { id: string; taken_at: string; trigger: string; percent: number; met: number; total: number }

const STATUS_TONE = { met: "good", not_met: "bad", not_applicable: "neutral" } as const;

function scorecardSection(): HTMLElement {
  return section("Stage 3 scorecard", async () => {
    const m = await apiGet<Maturity>("/admin/v1/maturity");
    const criteria = m.layers.flatMap((l) => l.criteria.map((c) => ({ layer: l.name, ...c })));
    return stack(
      kpiRow(
        kpi("Criteria met", `${pct(m.score.percent / 100)}`, "/admin/v1/maturity", `${m.score.met} of ${m.score.total - m.score.not_applicable} applicable · assessed ${when(m.assessed_at)}`, m.score.percent >= 90 ? "good" : "warn"),
        ...m.layers.map((l) => kpi(l.name, pct(l.score.percent / 100), `/admin/v1/maturity?layer=${encodeURIComponent(l.id)}`, `${l.score.met} met · ${l.score.not_met} not met`)),
      ),
      dataTable({
        name: "criteria", caption: "Criteria", rows: criteria,
        columns: [
          { label: "Layer", value: (c) => c.layer },
          { label: "Criterion", value: (c) => c.text },
          { label: "Status", value: (c) => c.status, render: (c) => badge(c.status.replace("_", " "), STATUS_TONE[c.status]) },
          { label: "Evidence", value: (c) => c.evidence.map((e) => e.label).join(" "), render: (c) => h("span", {}, c.evidence.map((e) => [recordsLink(e.label, e.href), " "])) },
          { label: "Missing", value: (c) => c.missing.join("; ") || c.reason || "" },
        ],
      }),
    );
  }, { name: "scorecard" });
}

function historySection(): HTMLElement {
  const path = "/admin/v1/maturity/history?limit=40";
  return section("Scorecard history", async () => {
    const hist = await apiGet<{ snapshots: Snapshot[] }>(path);
    const snaps = [...hist.snapshots].reverse();
    return stack(
      snaps.length > 1 ? lineChart({ title: "Criteria met (%)", days: snaps.map((s) => s.taken_at.slice(0, 10)), yLabel: "%", series: [{ label: "met", color: "#1e8449", values: snaps.map((s) => s.percent) }] }) : null,
      dataTable({ name: "maturity-history", caption: "Snapshots", rows: hist.snapshots, empty: "No snapshot yet (quarterly, or taken by an admin).",
        columns: [
          { label: "Taken", value: (s) => s.taken_at, render: (s) => when(s.taken_at) },
          { label: "Trigger", value: (s) => s.trigger },
          { label: "Met", value: (s) => s.percent, numeric: true, render: (s) => recordsLink(pct(s.percent / 100), path) },
        ] }),
    );
  }, { name: "maturity-history", wide: false });
}

function monthSection(): HTMLElement {
  const from = monthStart(new Date());
  const path = `/admin/v1/usage${qs({ group_by: "team", from })}`;
  return section("This month", async () => {
    const [u, alerts] = await Promise.all([apiGet<{ data: UsageRow[] }>(path), apiGet<List<{ id: string }>>("/admin/v1/alerts?state=open&limit=500")]);
    const cost = u.data.reduce((a, r) => a + r.cost_usd, 0);
    const requests = u.data.reduce((a, r) => a + r.requests, 0);
    return kpiRow(
      kpi("Spend", usd(cost), path, `since ${from}`),
      kpi("Requests", int(requests), path),
      kpi("Open alerts", int(alerts.data.length), "/admin/v1/alerts?state=open&limit=500", undefined, alerts.data.length ? "warn" : "good"),
    );
  }, { name: "month", wide: false });
}

export function overviewView(): HTMLElement {
  return page("Overview", "Where the GenAI programme stands against Stage 3, with the evidence for every claim.",
    monthSection(), historySection(), scorecardSection());
}
