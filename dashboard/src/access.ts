/**
 * @module
 * Which views each role sees. A view is listed for a role only when the role may read the
 * endpoints the view is built from (src/admin/resources: each route's `roles`); the browser tests
 * check this map against the live API's answers (200 vs 403) for every role, so it cannot drift.
 */
export type Role = "admin" | "finance" | "auditor" | "team-owner";

export interface ViewInfo {
  id: string;
  title: string;
  /** Who opens it on a Monday morning. */
  audience: string;
  roles: readonly Role[];
  /**
   * One admin API path the view cannot do without: readable by exactly `roles` (for a team
   * owner: of the demo's support team, which the browser tests sign in as).
   */
  probe: string;
}

export const VIEWS: readonly ViewInfo[] = [
  { id: "overview", title: "Overview", audience: "Programme scorecard", roles: ["admin", "finance", "auditor"], probe: "/admin/v1/maturity" },
  { id: "platform", title: "Platform", audience: "Platform lead", roles: ["admin", "auditor"], probe: "/admin/v1/failover-drills?limit=1" },
  { id: "finance", title: "Finance", audience: "CFO and finance", roles: ["admin", "finance"], probe: "/admin/v1/forecasts/accuracy" },
  { id: "security", title: "Security & governance", audience: "CISO and governance", roles: ["admin", "auditor"], probe: "/admin/v1/dashboard/dlp?days=1" },
  { id: "workloads", title: "Workloads", audience: "Workload owners", roles: ["admin", "auditor", "team-owner"], probe: "/admin/v1/evals/runs?workload=support-bot" },
  { id: "developers", title: "Developers", audience: "Developers", roles: ["admin", "auditor", "team-owner"], probe: "/admin/v1/keys" },
  { id: "knowledge", title: "Knowledge", audience: "Everyone reading the record", roles: ["admin", "finance", "auditor"], probe: "/admin/v1/knowledge?q=incident" },
];

/** The views a role may open, in menu order. */
export function viewsFor(role: string): ViewInfo[] {
  return VIEWS.filter((v) => (v.roles as readonly string[]).includes(role));
}
