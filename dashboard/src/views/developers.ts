/**
 * @module
 * Developers: their keys (prefixes only), their usage, and the developer NPS survey.
 */
import { apiGet } from "../api";
import { h } from "../dom";
import { daysAgo, int, usd, when } from "../format";
import { recordsLink } from "../records";
import { dataTable } from "../table";
import { badge, kpi, kpiRow, section, stack } from "../ui";
import { page, qs, type List, type UsageRow } from "./common";

interface Key { id: string; prefix: string; workload: string; team: string; name: string; created_at: string; expires_at: string | null; revoked_at: string | null }
interface Survey { id: string; title: string; created_at: string; closes_at: string; open: boolean; eligible_keys: number }
interface Nps { nps: number | null; responses: number; promoters: number; passives: number; detractors: number }
interface Results { survey: Survey; overall: Nps; areas: Record<string, Nps>; response_rate?: number }

function keysSection(): HTMLElement {
  const path = "/admin/v1/keys";
  return section("API keys", async () => {
    const k = await apiGet<List<Key>>(path);
    return dataTable({
      name: "keys", caption: "Keys (prefixes only; a key is shown once, when created)", rows: k.data,
      columns: [
        { label: "Prefix", value: (r) => r.prefix, render: (r) => h("code", {}, `${r.prefix}…`) },
        { label: "Workload", value: (r) => r.workload },
        { label: "Team", value: (r) => r.team },
        { label: "Name", value: (r) => r.name },
        { label: "Created", value: (r) => r.created_at, render: (r) => when(r.created_at) },
        { label: "State", value: (r) => (r.revoked_at ? "revoked" : r.expires_at && r.expires_at < new Date().toISOString() ? "expired" : "active"),
          render: (r) => (r.revoked_at ? badge("revoked", "bad") : r.expires_at && r.expires_at < new Date().toISOString() ? badge("expired", "warn") : badge("active", "good")) },
      ],
    });
  }, { name: "keys" });
}

function usageSection(): HTMLElement {
  const from = daysAgo(new Date(), 30);
  const path = `/admin/v1/usage${qs({ group_by: "team,workload", from })}`;
  return section("Usage per workload (30 days)", async () => {
    const u = await apiGet<{ data: UsageRow[] }>(path);
    return dataTable({
      name: "dev-usage", caption: "Workloads", rows: u.data, sort: { column: 2, direction: "descending" },
      columns: [
        { label: "Workload", value: (r) => r.workload },
        { label: "Team", value: (r) => r.team },
        { label: "Requests", value: (r) => r.requests, numeric: true, render: (r) => recordsLink(int(r.requests), `/admin/v1/usage${qs({ group_by: "model,day", workload: r.workload, from })}`) },
        { label: "Errors", value: (r) => r.errors, numeric: true, render: (r) => recordsLink(int(r.errors), `/admin/v1/usage${qs({ group_by: "day", workload: r.workload, from })}`) },
        { label: "Cost", value: (r) => r.cost_usd, numeric: true, render: (r) => recordsLink(usd(r.cost_usd), `/admin/v1/usage${qs({ group_by: "model", workload: r.workload, from })}`) },
      ],
    });
  }, { name: "dev-usage" });
}

function npsSection(): HTMLElement {
  return section("Developer NPS survey", async () => {
    const surveys = await apiGet<List<Survey>>("/admin/v1/surveys");
    const latest = surveys.data[0];
    if (!latest) return h("p", {}, "No survey round yet (quarterly).");
    const path = `/admin/v1/surveys/${encodeURIComponent(latest.id)}/results`;
    const r = await apiGet<Results>(path);
    return stack(
      kpiRow(
        kpi("NPS", r.overall.nps === null ? "no answers yet" : String(r.overall.nps), path, latest.title),
        kpi("Responses", int(r.overall.responses), path, `${int(latest.eligible_keys)} keys invited · ${latest.open ? `open until ${when(latest.closes_at)}` : "closed"}`),
      ),
      h("p", {}, "Answer with ", h("code", {}, "POST /v1/feedback"), " using your API key."),
      dataTable({
        name: "nps-areas", caption: "Per area", rows: Object.entries(r.areas),
        columns: [
          { label: "Area", value: ([a]) => a.replace(/_/g, " ") },
          { label: "NPS", value: ([, n]) => n.nps, numeric: true, render: ([, n]) => recordsLink(n.nps === null ? "–" : String(n.nps), path) },
          { label: "Responses", value: ([, n]) => n.responses, numeric: true, render: ([, n]) => recordsLink(int(n.responses), path) },
        ],
      }),
    );
  }, { name: "nps", wide: false });
}

export function developersView(): HTMLElement {
  return page("Developers", "Your keys, what they spent, and what you think of the platform.", keysSection(), usageSection(), npsSection());
}
