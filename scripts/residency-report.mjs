#!/usr/bin/env node
// `npm run residency:report`: what a data-protection officer shows from the stores themselves —
// for every zone's own local D1 (the ones `npm start` keeps under .wrangler/state/<region>/) and
// the control plane's (.wrangler/state/control/, which must hold no per-request rows), how many
// per-request rows each team has in each table, and whether every row sits in its team's
// residency zone. Teams and agents (with their teams) come from the control plane. Exit code 1
// when any row is out of zone. `--json` prints the same as JSON. Works while `npm start` runs.
import { REGIONS, REGION_STATE_ROOT } from "./lib/local-config.mjs";
import { withRegionD1s } from "./lib/regions.mjs";

/** Per-request tables and how a row names its team (agent_calls name the agent). */
const TABLES = [
  { table: "usage_events", team: "team" },
  { table: "usage_daily", team: "team" },
  { table: "request_logs", team: "team" },
  { table: "eval_samples", team: "team" },
  { table: "agent_calls", agent: "agent" },
];

async function hasColumn(db, table, column) {
  const cols = await db.prepare("SELECT name FROM pragma_table_info(?)").bind(table).all();
  return cols.results.some((c) => c.name === column);
}

async function countsByTeam(db, spec, agentTeams) {
  const column = spec.team ?? spec.agent;
  if (!(await hasColumn(db, spec.table, column))) return null; // an older or newer schema: reported as absent
  const rows = (await db.prepare(`SELECT ${column} AS k, count(*) AS n FROM ${spec.table} GROUP BY ${column}`).all()).results;
  const out = new Map();
  for (const r of rows) {
    const team = spec.agent ? agentTeams.get(r.k) ?? `(agent ${r.k})` : r.k ?? "(none)";
    out.set(team, (out.get(team) ?? 0) + r.n);
  }
  return out;
}

const report = await withRegionD1s(async ({ control, zones }) => {
  const residency = new Map((await control.prepare("SELECT id, residency FROM teams").all()).results.map((t) => [t.id, t.residency]));
  const agentTeams = new Map((await control.prepare("SELECT id, team FROM agent_ids").all()).results.map((a) => [a.id, a.team]));
  const rows = [];
  const stores = { control, ...zones };
  for (const zone of ["control", ...REGIONS]) {
    for (const spec of TABLES) {
      const counts = await countsByTeam(stores[zone], spec, agentTeams);
      if (!counts) continue;
      for (const [team, n] of [...counts].sort()) {
        const home = residency.get(team) ?? null;
        rows.push({ zone, table: spec.table, team, residency: home, rows: n, in_zone: home === zone });
      }
    }
  }
  return { generated_at: new Date().toISOString(), state_dir: REGION_STATE_ROOT, zones: REGIONS, rows, out_of_zone: rows.filter((r) => !r.in_zone) };
});

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`Residency report (${report.generated_at}), local stores under ${report.state_dir}`);
  const width = { zone: 7, table: 13, team: 28, residency: 9, rows: 8 };
  const line = (c) => `${c.zone.padEnd(width.zone)} ${c.table.padEnd(width.table)} ${c.team.padEnd(width.team)} ${c.residency.padEnd(width.residency)} ${c.rows.padStart(width.rows)}  ${c.verdict}`;
  console.log(line({ zone: "zone", table: "table", team: "team", residency: "residency", rows: "rows", verdict: "" }));
  for (const r of report.rows) {
    console.log(line({ zone: r.zone, table: r.table, team: String(r.team), residency: r.residency ?? "?", rows: String(r.rows), verdict: r.in_zone ? "ok" : "OUT OF ZONE" }));
  }
  console.log(report.out_of_zone.length ? `${report.out_of_zone.length} team/table/zone group(s) hold rows outside the team's residency zone.` : "Every per-request row is in its team's residency zone.");
}
process.exit(report.out_of_zone.length ? 1 : 0);
