/**
 * @module
 * Security and governance: DLP findings and blocks, restricted-log audits, agents and their
 * baselines, delegation traces, shadow-agent discoveries, access reviews, governance versions and
 * proposals, compliance report status.
 */
import { apiGet } from "../api";
import { h } from "../dom";
import { int, when } from "../format";
import { openRecords, recordsLink } from "../records";
import { dataTable } from "../table";
import { badge, kpi, kpiRow, section, stack } from "../ui";
import { page, type List } from "./common";

interface Dlp {
  days: number; requests_with_findings: number; blocked_requests: number;
  by_type: Array<{ type: string; requests: number; blocked: number }>;
  by_team: Array<{ team: string; requests: number; blocked: number }>;
  recent: Array<{ request_id: string; ts: string; team: string | null; workload: string | null; types: string[]; blocked: boolean }>;
}
interface Audit { id: string; ts: string; ok: boolean; checks: Array<{ name: string; scanned: number; violations: number }> }
interface Agent { id: string; team?: string; name?: string; status?: string; created_at?: string }
interface Discovery { id: string; status: string; firstSeen: string; lastSeen: string; subject: { key_id?: string; user_agents?: string[] }; evidence: { signals: string[]; requests: number } }
interface Review { id: string; period: string; status: string; openedAt: string; dueAt: string; closedAt: string | null }
interface Version { version: number; applied_at: string; author: string; approvers: string[]; sha256: string }
interface Proposal { id: string; status: string; author: string; created_at: string; rationale: string; source: string }
interface Report { id: string; kind: string; period: string; created_at: string; delivery: { status: string } }

const DLP = "/admin/v1/dashboard/dlp?days=30";

function dlpSection(): HTMLElement {
  return section("DLP findings and blocks (30 days)", async () => {
    const d = await apiGet<Dlp>(DLP);
    return stack(
      kpiRow(
        kpi("Requests with findings", int(d.requests_with_findings), DLP),
        kpi("Blocked requests", int(d.blocked_requests), DLP, "refused before reaching a provider", d.blocked_requests ? "warn" : "good"),
      ),
      h("div", { class: "split" },
        dataTable({ name: "dlp-types", caption: "By entity type", rows: d.by_type, empty: "No findings.", sort: { column: 1, direction: "descending" },
          columns: [
            { label: "Type", value: (r) => r.type },
            { label: "Requests", value: (r) => r.requests, numeric: true, render: (r) => recordsLink(int(r.requests), DLP) },
            { label: "Blocked", value: (r) => r.blocked, numeric: true, render: (r) => recordsLink(int(r.blocked), DLP) },
          ] }),
        dataTable({ name: "dlp-teams", caption: "By team", rows: d.by_team, empty: "No findings.", sort: { column: 1, direction: "descending" },
          columns: [
            { label: "Team", value: (r) => r.team },
            { label: "Requests", value: (r) => r.requests, numeric: true, render: (r) => recordsLink(int(r.requests), `/admin/v1/logs?team=${encodeURIComponent(r.team)}&limit=100`) },
            { label: "Blocked", value: (r) => r.blocked, numeric: true, render: (r) => recordsLink(int(r.blocked), DLP) },
          ] }),
      ),
      dataTable({ name: "dlp-recent", caption: "Latest 15 requests with findings (types only, never values)", rows: d.recent.slice(0, 15),
        columns: [
          { label: "When", value: (r) => r.ts, render: (r) => when(r.ts) },
          { label: "Team", value: (r) => r.team },
          { label: "Workload", value: (r) => r.workload },
          { label: "Types", value: (r) => r.types.join(", ") },
          { label: "Outcome", value: (r) => (r.blocked ? "blocked" : "allowed"), render: (r) => badge(r.blocked ? "blocked" : "allowed", r.blocked ? "bad" : "neutral") },
        ] }),
    );
  }, { name: "dlp" });
}

function auditSection(): HTMLElement {
  const path = "/admin/v1/audits/restricted";
  return section("Restricted-log audits", async () => {
    const a = await apiGet<{ latest: Audit | null; recent: Audit[] }>(path);
    return stack(
      a.latest ? kpiRow(kpi("Latest audit", a.latest.ok ? "clean" : "violations", path, when(a.latest.ts), a.latest.ok ? "good" : "bad")) : h("p", {}, "No audit has run yet (daily)."),
      dataTable({ name: "audits", caption: "Audits", rows: a.recent,
        columns: [
          { label: "When", value: (r) => r.ts, render: (r) => when(r.ts) },
          { label: "Result", value: (r) => (r.ok ? "clean" : "violations"), render: (r) => badge(r.ok ? "clean" : "violations", r.ok ? "good" : "bad") },
          { label: "Scanned", value: (r) => r.checks.reduce((s, c) => s + c.scanned, 0), numeric: true, render: (r) => recordsLink(int(r.checks.reduce((s, c) => s + c.scanned, 0)), path) },
          { label: "Violations", value: (r) => r.checks.reduce((s, c) => s + c.violations, 0), numeric: true, render: (r) => recordsLink(int(r.checks.reduce((s, c) => s + c.violations, 0)), path) },
        ] }),
    );
  }, { name: "audits", wide: false });
}

function agentsSection(): HTMLElement {
  return section("Agents, baselines and delegation traces", async () => {
    const agents = await apiGet<List<Agent>>("/admin/v1/agents");
    const trace = h("input", { id: "trace-id", type: "text", autocomplete: "off", placeholder: "trace id" });
    return stack(
      dataTable({ name: "agents", caption: "Registered agents", rows: agents.data, empty: "No agents registered.",
        columns: [
          { label: "Agent", value: (r) => r.id },
          { label: "Team", value: (r) => r.team },
          { label: "Calls", value: (r) => r.id, render: (r) => recordsLink("recent calls", `/admin/v1/agents/${encodeURIComponent(r.id)}/calls`) },
          { label: "Baseline", value: (r) => r.id, render: (r) => recordsLink("baseline", `/admin/v1/agents/${encodeURIComponent(r.id)}/baseline`) },
        ] }),
      h("form", { class: "inline", onsubmit: (e: Event) => { e.preventDefault(); if (trace.value.trim()) void openRecords(`/admin/v1/delegations/${encodeURIComponent(trace.value.trim())}`, trace); } },
        h("label", { for: "trace-id" }, "Open a delegation trace"), trace, h("button", { type: "submit" }, "Open")),
    );
  }, { name: "agents", wide: false });
}

function discoveriesSection(): HTMLElement {
  return section("Shadow-agent discoveries", async () => {
    const d = await apiGet<List<Discovery>>("/admin/v1/discoveries");
    return dataTable({ name: "discoveries", caption: "Discoveries", rows: d.data, empty: "No unregistered automated traffic found.",
      columns: [
        { label: "Subject", value: (r) => r.subject.key_id ?? r.id, render: (r) => recordsLink(r.subject.key_id ?? r.id, `/admin/v1/discoveries/${encodeURIComponent(r.id)}`) },
        { label: "Status", value: (r) => r.status, render: (r) => badge(r.status, r.status === "open" ? "warn" : "neutral") },
        { label: "Signals", value: (r) => r.evidence.signals.join(", ") },
        { label: "Requests", value: (r) => r.evidence.requests, numeric: true, render: (r) => recordsLink(int(r.evidence.requests), `/admin/v1/discoveries/${encodeURIComponent(r.id)}`) },
        { label: "Last seen", value: (r) => r.lastSeen, render: (r) => when(r.lastSeen) },
      ] });
  }, { name: "discoveries" });
}

function reviewsSection(): HTMLElement {
  return section("Access reviews", async () => {
    const r = await apiGet<List<Review>>("/admin/v1/access-reviews");
    return dataTable({ name: "access-reviews", caption: "Campaigns", rows: r.data, empty: "No access review yet (quarterly).",
      columns: [
        { label: "Period", value: (x) => x.period, render: (x) => recordsLink(x.period, `/admin/v1/access-reviews/${encodeURIComponent(x.id)}`) },
        { label: "Status", value: (x) => x.status, render: (x) => badge(x.status, x.status === "closed" ? "good" : "warn") },
        { label: "Due", value: (x) => x.dueAt, render: (x) => when(x.dueAt) },
      ] });
  }, { name: "access-reviews", wide: false });
}

function governanceSection(): HTMLElement {
  return section("Governance versions and proposals", async () => {
    const [versions, proposals] = await Promise.all([
      apiGet<{ data: Version[]; chain_valid: boolean }>("/admin/v1/governance/versions"),
      apiGet<List<Proposal>>("/admin/v1/governance/proposals"),
    ]);
    return stack(
      kpiRow(
        kpi("Live version", String(versions.data.at(-1)?.version ?? "–"), "/admin/v1/governance/versions", versions.chain_valid ? "hash chain verified" : "hash chain BROKEN", versions.chain_valid ? "good" : "bad"),
        kpi("Open proposals", int(proposals.data.filter((p) => p.status === "open").length), "/admin/v1/governance/proposals?status=open"),
      ),
      dataTable({ name: "gov-versions", caption: "Applied versions", rows: versions.data, sort: { column: 0, direction: "descending" },
        columns: [
          { label: "Version", value: (v) => v.version, numeric: true, render: (v) => recordsLink(String(v.version), `/admin/v1/governance/versions/${v.version}`) },
          { label: "Applied", value: (v) => v.applied_at, render: (v) => when(v.applied_at) },
          { label: "Author", value: (v) => v.author },
          { label: "Approvers", value: (v) => v.approvers.join(", ") },
        ] }),
      dataTable({ name: "gov-proposals", caption: "Proposals", rows: proposals.data, empty: "No proposals.",
        columns: [
          { label: "Created", value: (p) => p.created_at, render: (p) => when(p.created_at) },
          { label: "Status", value: (p) => p.status, render: (p) => badge(p.status, p.status === "open" ? "warn" : "neutral") },
          { label: "Rationale", value: (p) => p.rationale, render: (p) => recordsLink(p.rationale, `/admin/v1/governance/proposals/${encodeURIComponent(p.id)}`) },
          { label: "Author", value: (p) => p.author },
        ] }),
    );
  }, { name: "governance" });
}

function complianceSection(): HTMLElement {
  const path = "/admin/v1/reports?kind=compliance";
  return section("Compliance reports", async () => {
    const reports = (await apiGet<Report[]>(path)).filter((r) => r.kind === "compliance");
    return dataTable({ name: "compliance", caption: "Compliance reports", rows: reports, empty: "No compliance report yet (monthly).",
      columns: [
        { label: "Period", value: (r) => r.period, render: (r) => recordsLink(r.period, `/admin/v1/reports/${encodeURIComponent(r.id)}`) },
        { label: "Delivery", value: (r) => r.delivery.status, render: (r) => badge(r.delivery.status, r.delivery.status === "sent" ? "good" : "warn") },
        { label: "Email", value: (r) => r.id, render: (r) => recordsLink("the sent message", `/admin/v1/reports/${encodeURIComponent(r.id)}/email`) },
      ] });
  }, { name: "compliance", wide: false });
}

export function securityView(): HTMLElement {
  return page("Security & governance", "What was caught, what is unaccounted for, and whether the rules and their record hold.",
    dlpSection(), auditSection(), complianceSection(), discoveriesSection(), agentsSection(), reviewsSection(), governanceSection());
}
