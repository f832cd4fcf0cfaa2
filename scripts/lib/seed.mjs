// Seeds the demo organisation "Acme" into a D1 database (a Miniflare binding). Idempotent:
// config rows are inserted only when missing (admin changes survive a restart), demo keys and
// synthetic history use fixed ids with INSERT OR IGNORE, and the config version is bumped so
// running edges pick the seed up within seconds.
import { DEMO_MODELS, DEMO_PROVIDERS, DEMO_TEAMS, DEMO_WORKLOADS, demoKeyRows } from "./demo-org.mjs";
import { historyRows, importRows } from "./demo-history.mjs";
import { hashSeed, rng } from "./random.mjs";
import { seedGovernanceHistory } from "./governance-history.mjs";

const EVENT_DAYS = 14;

/** SQL literal for generated values (numbers, null, strings with quotes doubled). */
function literal(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/**
 * Many rows per statement with inline literals: D1 caps bound parameters per statement at 100,
 * and one statement per row makes seeding take tens of seconds through Miniflare.
 */
function multiRowInserts(db, head, rows, maxChars = 90_000) {
  const out = [];
  let batch = [];
  let size = 0;
  const flush = () => {
    if (batch.length) out.push(db.prepare(`${head} VALUES ${batch.join(",\n")}`));
    batch = [];
    size = 0;
  };
  for (const r of rows) {
    const tuple = `(${r.map(literal).join(", ")})`;
    if (size + tuple.length > maxChars) flush();
    batch.push(tuple);
    size += tuple.length + 2;
  }
  flush();
  return out;
}

async function runChunked(db, statements, size = 200) {
  for (let i = 0; i < statements.length; i += size) await db.batch(statements.slice(i, i + size));
}

function configStatements(db, nowIso) {
  const s = [];
  for (const [id, spec] of Object.entries(DEMO_PROVIDERS)) {
    s.push(db.prepare("INSERT OR IGNORE INTO providers (id, type, region, spec, secret_enc, updated_at) VALUES (?, ?, ?, ?, NULL, ?)").bind(id, spec.type, spec.region, JSON.stringify(spec), nowIso));
  }
  for (const [id, spec] of Object.entries(DEMO_MODELS)) s.push(db.prepare("INSERT OR IGNORE INTO models (id, spec, updated_at) VALUES (?, ?, ?)").bind(id, JSON.stringify(spec), nowIso));
  for (const [id, spec] of Object.entries(DEMO_TEAMS)) s.push(db.prepare("INSERT OR IGNORE INTO teams (id, residency, spec, updated_at) VALUES (?, ?, ?, ?)").bind(id, spec.residency, JSON.stringify(spec), nowIso));
  for (const [id, spec] of Object.entries(DEMO_WORKLOADS)) {
    s.push(db.prepare("INSERT OR IGNORE INTO workloads (id, team, lifecycle, spec, updated_at) VALUES (?, ?, ?, ?, ?)").bind(id, spec.team, spec.lifecycle, JSON.stringify(spec), nowIso));
  }
  for (const k of demoKeyRows(new Date(nowIso))) {
    s.push(db.prepare("INSERT OR IGNORE INTO api_keys (id, hash, prefix, workload, team, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").bind(k.id, k.hash, k.prefix, k.workload, k.team, k.name, k.created_at));
  }
  // Lifecycle history: incident-summaries moved dev → staging, approved by a second person.
  s.push(db.prepare("INSERT OR IGNORE INTO workload_transitions (id, workload, from_state, to_state, reason, requested_by, approved_by, status, detail, created_at, decided_at) VALUES ('tr_demo_incident_summaries_staging', 'incident-summaries', 'dev', 'staging', 'Pilot with the on-call rotation', 'maya@acme.example', 'li@acme.example', 'applied', '{\"criteria\":{},\"needs_approval\":false}', ?, ?)").bind(nowIso, nowIso));
  s.push(db.prepare("INSERT INTO config_version (id, version, updated_at) VALUES (1, 1, ?) ON CONFLICT (id) DO UPDATE SET version = version + 1, updated_at = excluded.updated_at").bind(nowIso));
  s.push(db.prepare("INSERT INTO audit_log (ts, actor, action, resource, detail) VALUES (?, 'seed', 'seed.demo', 'org/acme', NULL)").bind(nowIso));
  return s;
}

function price(model) {
  return DEMO_MODELS[model].price;
}

/**
 * Daily rollups for the last 90 days (scripts/lib/demo-history.mjs) and the providers' bills;
 * given a zone, only the teams resident there (each zone's D1 holds its own teams' history).
 */
function historyStatements(db, today, zone) {
  const history = historyRows(today).filter((h) => !zone || DEMO_TEAMS[h.team]?.residency === zone);
  const rollups = history.map((h) => [h.day, h.team, h.workload, h.model, h.provider, h.requests, h.errors, h.cache_hits, h.tokens_in, h.tokens_out, h.cost_nusd]);
  const imports = importRows(today, history).map((r) => [r.source, r.day, r.team, "-", "-", r.provider, r.cost_nusd, null, null, null, "seed", today.toISOString()]);
  return [
    ...multiRowInserts(db, "INSERT OR IGNORE INTO usage_daily (day, team, workload, model, provider, requests, errors, cache_hits, tokens_in, tokens_out, cost_nusd)", rollups),
    ...multiRowInserts(db, "INSERT OR IGNORE INTO spend_imports (source, day, team, workload, model, provider, cost_nusd, tokens_in, tokens_out, requests, import_id, imported_at)", imports),
  ];
}

/** Per-request events for the last two weeks (a sample), including one unregistered automated client. */
function eventStatements(db, today, zone) {
  const s = [];
  const insert = (e) => [e.id, e.ts, e.team, e.workload, e.key, e.model, e.provider, e.region, e.tin, e.tout, e.cost, e.lat, e.ttfb, e.status, e.err, e.cls, e.cache, 0, "ordered", JSON.stringify(e.detail)];
  for (const [workload, w] of Object.entries(DEMO_WORKLOADS)) {
    if (zone && DEMO_TEAMS[w.team].residency !== zone) continue;
    const r = rng(hashSeed(`events-${workload}`));
    const model = w.allowed_models.find((m) => DEMO_MODELS[m].kind === "chat") ?? w.allowed_models[0];
    const provider = DEMO_MODELS[model].targets[0].provider;
    for (let d = EVENT_DAYS; d >= 1; d--) {
      const n = 8 + Math.floor(r() * 12);
      for (let i = 0; i < n; i++) {
        const ts = new Date(today.getTime() - d * 86400000 + Math.floor((8 + r() * 10) * 3600000));
        const tin = 200 + Math.floor(r() * 600);
        const tout = 50 + Math.floor(r() * 300);
        const p = price(model);
        const failed = r() < 0.02;
        s.push(insert({
          id: `seed-${workload}-${d}-${i}`, ts: ts.toISOString(), team: w.team, workload, key: `key_demo_${workload.replace(/-/g, "_")}`, model, provider,
          region: DEMO_TEAMS[w.team].residency, tin, tout, cost: Math.round(tin * p.input_per_mtok * 1000 + tout * p.output_per_mtok * 1000),
          lat: 300 + Math.floor(r() * 900), ttfb: 120 + Math.floor(r() * 300), status: failed ? 502 : 200, err: failed ? "upstream_failed" : null,
          cls: w.default_data_class, cache: w.cache ? (r() < 0.2 ? "hit" : "miss") : "off", detail: { user_agent: "OpenAI/JS 4.x" },
        }));
      }
    }
  }
  // An unregistered automated client: every 5 minutes, to the second, for two days, with a script's user agent.
  const start = today.getTime() - 2 * 86400000;
  for (let i = 0; zone === undefined || zone === "us" ? i < 576 : false; i++) {
    const ts = new Date(start + i * 300000);
    s.push(insert({
      id: `seed-shadow-${i}`, ts: ts.toISOString(), team: "platform", workload: "code-review", key: "key_demo_code_review", model: "gpt-sim-mini", provider: "sim-us-backup",
      region: "us", tin: 420, tout: 60, cost: Math.round(420 * 150 + 60 * 600), lat: 250, ttfb: 90, status: 200, err: null, cls: "internal", cache: "off",
      detail: { user_agent: "python-requests/2.31.0" },
    }));
  }
  return multiRowInserts(
    db,
    `INSERT OR IGNORE INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out, cost_nusd,
      latency_ms, ttfb_ms, status, error_code, data_class, cache, estimated, route, detail)`,
    s,
  );
}

/**
 * Seeds configuration into `db` and the synthetic history into `db` too, or, given `zones`
 * (zone → D1, as `npm start`'s three edges have), each team's history into its own zone's D1.
 * @param {D1Database} db
 * @param {Date} [now]
 * @param {Record<string, D1Database>} [zones]
 */
export async function seedDemo(db, now = new Date(), zones = undefined) {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  await runChunked(db, configStatements(db, now.toISOString()));
  for (const [zone, zoneDb] of zones ? Object.entries(zones) : [[undefined, db]]) {
    await runChunked(zoneDb, historyStatements(zoneDb, today, zone));
    await runChunked(zoneDb, eventStatements(zoneDb, today, zone));
  }
  // Governance history made by the system's own loop over seeded metadata (scripts/lib/governance-history.mjs).
  const eventsHead = `INSERT OR IGNORE INTO usage_events (request_id, ts, team, workload, key_id, model, provider, region, tokens_in, tokens_out, cost_nusd,
      latency_ms, ttfb_ms, status, error_code, data_class, cache, estimated, route, detail)`;
  // Its usage events are per-request data: each lands in its team's zone (the control plane otherwise).
  await seedGovernanceHistory(db, now, async (rows) => {
    for (const zone of new Set(rows.map((r) => DEMO_TEAMS[r[2]]?.residency))) {
      const target = zones?.[zone] ?? db;
      const mine = rows.filter((r) => DEMO_TEAMS[r[2]]?.residency === zone);
      await runChunked(target, multiRowInserts(target, eventsHead, mine));
    }
  }, zones?.[DEMO_TEAMS.platform.residency] ?? db);
}
