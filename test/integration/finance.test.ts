/**
 * Finance loop through the real admin API, D1 and the cron handler: spend import (JSON and FOCUS
 * CSV, all-or-nothing, idempotent), forecasts with budget projection and roles, planned changes,
 * daily snapshots, accuracy alerts and exhaustion warnings raised once and withdrawn.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { addDays } from "../../src/operations/forecast/dates";
import { admin, adminOk, adminToken, BASE, createOrg } from "./helpers";

const today = new Date().toISOString().slice(0, 10);
const WEEK = [1, 1.05, 1.1, 1.05, 1, 0.45, 0.4];
const finance = { sub: "fin@acme.example", role: "finance" as const };

/** `days` days of spend ending yesterday: weekly rhythm, gentle trend, ±5% deterministic wiggle. */
function history(team: string, days: number, base: number, opts: { workload?: string; stepFrom?: string; step?: number } = {}) {
  return Array.from({ length: days }, (_, i) => {
    const date = addDays(today, i - days);
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    const wiggle = 1 + 0.05 * Math.sin(i * 1.7);
    const step = opts.stepFrom && date >= opts.stepFrom ? (opts.step ?? 1) : 1;
    const usd = (base * (1 + i / 300) * WEEK[(dow + 6) % 7] * wiggle * step).toFixed(6);
    return { date, team, ...(opts.workload ? { workload: opts.workload } : {}), provider: "openai", model: "gpt-x", cost_usd: usd };
  });
}

async function importJson(body: unknown, principal = finance) {
  return admin("POST", "/usage/import", body, principal);
}

async function importCsv(source: string, csv: string) {
  return SELF.fetch(`${BASE}/admin/v1/usage/import?source=${source}`, {
    method: "POST", headers: { authorization: `Bearer ${await adminToken(finance)}`, "content-type": "text/csv" }, body: csv,
  });
}

const sumImported = (team: string) => env.DB.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(cost_nusd), 0) AS nusd FROM spend_imports WHERE team = ?").bind(team).first<{ n: number; nusd: number }>();

describe("spend import", () => {
  it("refuses a bad row with a problem naming row and field, and writes nothing of that request", async () => {
    const org = await createOrg();
    const rows = history(org.team, 5, 10);
    rows[3] = { ...rows[3], cost_usd: "12,50" };
    const res = await importJson({ source: "openai-invoice", rows });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const p = await res.json<{ title: string; detail: string; errors: Array<{ path: string }> }>();
    expect(p.detail).toContain("row 4, field cost_usd");
    expect(p.errors[0].path).toBe("row 4: cost_usd");
    expect((await sumImported(org.team))!.n).toBe(0);
    const unknown = await importJson({ source: "x", rows: [{ date: today, team: "no-such-team", cost_usd: 1 }] });
    expect((await unknown.json<{ detail: string }>()).detail).toContain("row 1, field team");
    const badDate = await importJson({ source: "x", rows: [{ date: "2026-02-30", team: org.team, cost_usd: 1 }] });
    expect((await badDate.json<{ detail: string }>()).detail).toContain("row 1, field date");
  });

  it("stores exact money, keeps imports apart from gateway rollups, and is idempotent per key", async () => {
    const org = await createOrg();
    const rows = [{ date: "2026-09-01", team: org.team, cost_usd: 0.1 }, { date: "2026-09-01", team: org.team, cost_usd: "0.2" }, { date: "2026-09-02", team: org.team, cost_usd: "1234.000000007", provider: "anthropic" }];
    const first = await importJson({ source: "bill-1", rows });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ source: "bill-1", rows_stored: 2, from: "2026-09-01", to: "2026-09-02" });
    expect((await sumImported(org.team))!.nusd).toBe(300_000_000 + 1_234_000_000_007);
    expect((await importJson({ source: "bill-1", rows })).status).toBe(201);
    expect(await sumImported(org.team)).toEqual({ n: 2, nusd: 1_234_300_000_007 });
    const daily = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_daily WHERE team = ?").bind(org.team).first<{ n: number }>();
    expect(daily!.n).toBe(0);
  });

  it("reads FOCUS 1.2 CSV (quoted JSON tags, rows summed per key) and names the bad row and column", async () => {
    const org = await createOrg();
    const header = "BillingPeriodStart,ChargePeriodStart,BilledCost,BillingCurrency,ServiceName,ProviderName,Tags";
    const tag = `"{""team"":""${org.team}"",""workload"":""${org.workload}"",""model"":""gpt-4o""}"`;
    const ok = [header, `2026-09-01T00:00:00Z,2026-09-03T00:00:00Z,10.50,USD,Azure OpenAI,Microsoft,${tag}`, `2026-09-01T00:00:00Z,2026-09-03T00:00:00Z,0.25,USD,Azure OpenAI,Microsoft,${tag}`].join("\r\n");
    const res = await importCsv("focus-azure", ok);
    expect(res.status).toBe(201);
    const row = await env.DB.prepare("SELECT * FROM spend_imports WHERE team = ?").bind(org.team).first<Record<string, unknown>>();
    expect(row).toMatchObject({ source: "focus-azure", day: "2026-09-03", workload: org.workload, model: "gpt-4o", provider: "microsoft", cost_nusd: 10_750_000_000 });
    const bad = [header, `2026-09-01T00:00:00Z,2026-09-04T00:00:00Z,1,USD,Azure OpenAI,Microsoft,${tag}`, `2026-09-01T00:00:00Z,2026-09-05T00:00:00Z,1,EUR,Azure OpenAI,Microsoft,${tag}`].join("\n");
    const refused = await importCsv("focus-azure", bad);
    expect(refused.status).toBe(400);
    expect((await refused.json<{ detail: string }>()).detail).toContain("row 3, field BillingCurrency");
    expect((await sumImported(org.team))!.n).toBe(1);
    expect((await importCsv("focus-azure", "ChargePeriodStart,BilledCost\n2026-09-01,1\n")).status).toBe(400);
    expect((await SELF.fetch(`${BASE}/admin/v1/usage/import`, { method: "POST", headers: { authorization: `Bearer ${await adminToken(finance)}`, "content-type": "text/csv" }, body: ok })).status).toBe(400);
  });

  it("is for admin and finance only", async () => {
    const org = await createOrg();
    const body = { source: "s", rows: [{ date: today, team: org.team, cost_usd: 1 }] };
    expect((await importJson(body, { sub: "a", role: "auditor" } as never)).status).toBe(403);
    expect((await importJson(body, { sub: "o", role: "team-owner", team: org.team } as never)).status).toBe(403);
  });
});

describe("forecasts", () => {
  it("forecasts a team from imported history: daily p10/p50/p90, total interval, backtest, budget", async () => {
    const org = await createOrg({ budgetUsd: 100_000 });
    expect((await importJson({ source: "openai-invoice", rows: history(org.team, 84, 40) })).status).toBe(201);
    const f = await (await admin("GET", `/forecasts?scope=team&id=${org.team}&horizon=60`, undefined, finance)).json<{
      method: string; history_days: number; daily: Array<{ date: string; p50: number; p10: number; p90: number }>; total: { p50: number; p10: number; p90: number };
      backtest: { holdout_days: number; smape: number; mape: number }; budget: { limit_usd: number; period_end: string; projected_spend_usd: number; exhaustion_date: string | null };
    }>();
    expect(f.method).toMatch(/^holt-winters/);
    expect(f.history_days).toBe(84);
    expect(f.daily).toHaveLength(60);
    expect(f.daily[0].date).toBe(today);
    for (const d of f.daily) expect(d.p10 <= d.p50 && d.p50 <= d.p90).toBe(true);
    expect(f.total.p10).toBeLessThan(f.total.p50);
    expect(f.total.p90).toBeGreaterThan(f.total.p50);
    expect(f.backtest.holdout_days).toBe(30);
    expect(f.backtest.smape).toBeLessThan(0.15);
    // About $40-50 a weekday: 60 days land between $1,800 and $3,200.
    expect(f.total.p50).toBeGreaterThan(1800);
    expect(f.total.p50).toBeLessThan(3200);
    expect(f.budget).toMatchObject({ limit_usd: 100_000, exhaustion_date: null });
  });

  it("applies planned changes: a workload launch doubles its part from the effective date", async () => {
    const org = await createOrg({ budgetUsd: 100_000 });
    await importJson({ source: "bill", rows: history(org.team, 56, 20, { workload: org.workload }) });
    const get = async () => (await admin("GET", `/forecasts?scope=team&id=${org.team}&horizon=30`, undefined, finance)).json<{ daily: Array<{ p50: number }>; adjustments_applied: string[] }>();
    const before = await get();
    const bad = await admin("POST", "/forecasts/adjustments", { kind: "price_change", percent: 10, effective_from: today }, finance);
    expect(bad.status).toBe(400);
    const adj = await (await admin("POST", "/forecasts/adjustments", { kind: "workload_change", workload: org.workload, percent: 100, effective_from: addDays(today, 14), note: "launch" }, finance)).json<{ id: string }>();
    const after = await get();
    expect(after.adjustments_applied).toEqual([adj.id]);
    expect(after.daily[0].p50).toBeCloseTo(before.daily[0].p50, 6);
    expect(after.daily[20].p50 / before.daily[20].p50).toBeCloseTo(2, 1);
    expect((await admin("DELETE", `/forecasts/adjustments/${adj.id}`, undefined, finance)).status).toBe(204);
  });

  it("lets a team owner read only its own team's forecasts; auditors none; bad queries are problems", async () => {
    const org = await createOrg();
    const other = await createOrg();
    const owner = { sub: "o", role: "team-owner" as const, team: org.team };
    expect((await admin("GET", `/forecasts?scope=team&id=${org.team}`, undefined, owner)).status).toBe(200);
    expect((await admin("GET", `/forecasts?scope=workload&id=${org.workload}`, undefined, owner)).status).toBe(200);
    expect((await admin("GET", `/forecasts?scope=team&id=${other.team}`, undefined, owner)).status).toBe(403);
    expect((await admin("GET", `/forecasts?scope=org`, undefined, owner)).status).toBe(403);
    expect((await admin("GET", `/forecasts?scope=org`, undefined, { sub: "a", role: "auditor" })).status).toBe(403);
    expect((await admin("GET", `/forecasts?scope=team&id=${org.team}&horizon=45`, undefined, finance)).status).toBe(400);
    expect((await admin("GET", `/forecasts?scope=team`, undefined, finance)).status).toBe(400);
    expect((await admin("GET", `/forecasts?scope=team&id=nope`, undefined, finance)).status).toBe(404);
    const doc = await (await admin("GET", "/openapi.json")).json<{ paths: Record<string, unknown> }>();
    for (const p of ["/admin/v1/forecasts", "/admin/v1/forecasts/accuracy", "/admin/v1/usage/import", "/admin/v1/reports", "/admin/v1/reports/{id}/email"]) expect(doc.paths[p]).toBeDefined();
  });
});

describe("daily finance cron", () => {
  it("is scheduled daily; snapshots every scope; warns once on exhaustion and withdraws when the projection falls back", async () => {
    expect(cronSchedule["0 3 * * *"]).toContain("finance-daily");
    const org = await createOrg({ budgetUsd: 100 });
    await adminOk("PUT", `/teams/${org.team}`, { monthly_budget_usd: 100, rpm: 1000, tpm: 1_000_000, residency: "us", owner_email: "owner@acme.example" });
    await importJson({ source: "bill", rows: history(org.team, 42, 60) });
    await cronJobs["finance-daily"](env, Date.now());
    const snap = await env.DB.prepare("SELECT COUNT(*) AS n FROM forecast_snapshots WHERE made_on = ? AND ((scope = 'team' AND subject = ?) OR scope = 'org')").bind(today, org.team).first<{ n: number }>();
    expect(snap!.n).toBe(2);
    const alerts = () => env.DB.prepare("SELECT kind, title, delivered FROM alerts WHERE kind LIKE 'budget_exhaustion%' AND title LIKE ?").bind(`%${org.team}%`).all<{ kind: string; title: string; delivered: string }>();
    let a = (await alerts()).results;
    expect(a.map((x) => x.kind)).toEqual(["budget_exhaustion"]);
    expect(a[0].delivered).toContain("email:owner@acme.example");
    expect(a[0].delivered).toContain("email:finance@acme.example");
    const w = await env.DB.prepare("SELECT status, exhaustion_date FROM exhaustion_warnings WHERE team = ?").bind(org.team).first<{ status: string; exhaustion_date: string }>();
    expect(w!.status).toBe("active");
    expect(w!.exhaustion_date >= today).toBe(true);
    await cronJobs["finance-daily"](env, Date.now());
    expect((await alerts()).results).toHaveLength(1);
    await adminOk("PUT", `/teams/${org.team}`, { monthly_budget_usd: 1_000_000, rpm: 1000, tpm: 1_000_000, residency: "us" });
    await cronJobs["finance-daily"](env, Date.now());
    a = (await alerts()).results;
    expect(a.map((x) => x.kind).sort()).toEqual(["budget_exhaustion", "budget_exhaustion_withdrawn"]);
    expect((await env.DB.prepare("SELECT status FROM exhaustion_warnings WHERE team = ?").bind(org.team).first<{ status: string }>())!.status).toBe("withdrawn");
  }, 60_000);

  it("scores last month's forecast against its actuals and alerts once on a miss over 15%", async () => {
    const org = await createOrg({ budgetUsd: 1_000_000 });
    const monthStart = `${today.slice(0, 7)}-01`;
    const lastMonth = addDays(monthStart, -1).slice(0, 7);
    // Spend jumps 60% on the first of last month: a forecast made before it cannot have known.
    await importJson({ source: "bill", rows: history(org.team, 100, 30, { stepFrom: `${lastMonth}-01`, step: 1.6 }) });
    await cronJobs["finance-daily"](env, Date.now());
    await cronJobs["finance-daily"](env, Date.now());
    const acc = await (await admin("GET", `/forecasts/accuracy?month=${lastMonth}&scope=team`, undefined, finance)).json<{ data: Array<{ id: string; error: number; flagged: boolean; forecast_usd: number; actual_usd: number }> }>();
    const mine = acc.data.find((r) => r.id === org.team)!;
    expect(mine.flagged).toBe(true);
    expect(mine.error).toBeGreaterThan(0.3);
    expect(mine.actual_usd).toBeGreaterThan(mine.forecast_usd);
    const alerts = await env.DB.prepare("SELECT COUNT(*) AS n FROM alerts WHERE kind = 'forecast_accuracy' AND title LIKE ?").bind(`%${org.team}%`).first<{ n: number }>();
    expect(alerts!.n).toBe(1);
  }, 60_000);
});
