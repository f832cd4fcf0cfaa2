// The demo organisation's governance history. Generates 90 days of request metadata in which DLP
// behaviour matters (types only, as the gateway records them), then runs the real governance loop
// over it (src/governance/demo-history.ts): initial artifacts applied, the evidence job's proposals
// approved and applied 45 days ago, their impact measured now. Idempotent (fixed ids, and the loop
// does nothing once a governance version exists).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { importTs, ROOT } from "./load-ts.mjs";

const DAY = 86_400_000;
/** The day the evidence-based exemption took effect in the synthetic past (see demo-history.ts). */
const CHANGE_DAY = 45;

function row(id, ts, w, status, detail, cost) {
  return [id, new Date(ts).toISOString(), w.team, w.id, w.key, w.model, w.provider, "us", 400, status === 200 ? 120 : 0, status === 200 ? cost : 0, 600, 200,
    status, status === 403 ? "dlp_blocked" : null, w.cls, "off", 0, "ordered", JSON.stringify(detail)];
}

/**
 * incident-summaries pastes log excerpts that carry credentials: blocked (and retried without the
 * value minutes later) until the exemption; masked and served after. code-review never sends one,
 * so its secret exemption (EX-1) goes unused.
 */
export function governanceEventRows(today) {
  const incident = { id: "incident-summaries", team: "platform", key: "key_demo_incident_summaries", model: "gpt-sim", provider: "sim-us-primary", cls: "internal" };
  const review = { id: "code-review", team: "platform", key: "key_demo_code_review", model: "gpt-sim-mini", provider: "sim-us-backup", cls: "internal" };
  const secret = (blocked) => ({ user_agent: "OpenAI/JS 4.x", dlp_request: { types: ["SECRET"], blocked: blocked ? ["SECRET"] : [], findings: 1 } });
  const plain = { user_agent: "OpenAI/JS 4.x" };
  const rows = [];
  for (let d = 90; d >= 1; d--) {
    const base = today.getTime() - d * DAY + 9 * 3600_000;
    rows.push(row(`seed-gov-inc-${d}-a`, base, incident, 200, plain, 2_200_000), row(`seed-gov-inc-${d}-b`, base + 3600_000, incident, 200, plain, 2_200_000));
    if (d > CHANGE_DAY) {
      rows.push(row(`seed-gov-inc-${d}-s`, base + 7200_000, incident, 403, secret(true), 0));
      rows.push(row(`seed-gov-inc-${d}-r`, base + 7200_000 + 180_000, incident, 200, plain, 2_200_000));
    } else {
      const masked = row(`seed-gov-inc-${d}-s`, base + 7200_000, incident, 200, secret(false), 2_200_000);
      masked[15] = "restricted"; // SECRET implies restricted in the demo classification scheme
      rows.push(masked);
    }
    for (let i = 0; i < 3; i++) rows.push(row(`seed-gov-rev-${d}-${i}`, base + i * 1800_000, review, 200, plain, 130_000));
  }
  return rows;
}

/** `usageDb`: where the evidence jobs read usage (the zone holding these events; `db` in one store). */
export async function seedGovernanceHistory(db, now, insertRows, usageDb = db) {
  await insertRows(governanceEventRows(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))));
  const dir = join(ROOT, "governance");
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const { seedGovernanceHistory: run } = await importTs("src/governance/demo-history.ts");
  // As deployed: governance in the control plane (configDb), usage read from the zone's DB.
  return run(usageDb === db ? { DB: db } : { DB: usageDb, CONTROL_DB: db }, files, now.getTime());
}
