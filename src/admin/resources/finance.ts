/**
 * @module
 * Finance routes: provider spend import (JSON or FOCUS 1.2 CSV), forecasts per org/team/workload
 * with planned changes, and forecast accuracy. Finance and admin see everything; a team owner
 * sees only its own team's forecasts (and its workloads').
 */
import { z } from "zod";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "../../gateway/body";
import { GatewayError } from "../../errors/openai";
import { ProblemError } from "../../errors/problem";
import { ImportJson, ImportJsonDoc, parseFocusCsv, parseJsonImport, type ParsedImport } from "../../operations/spend/import";
import { storeImport } from "../../operations/spend/store";
import { nusdToUsdNumber, usdNumberToNusd } from "../../operations/spend/money";
import { forecastScope, forecastView, loadForecastContext } from "../../operations/forecast/service";
import type { Principal } from "../auth";
import { adminRoute, type AdminContext, type AdminRoute } from "../router";
import { configDb } from "../../config/control-db";

const SourceId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/);

async function readImport(c: AdminContext<unknown>): Promise<ParsedImport> {
  let text: string;
  try {
    text = await readBodyText(c.request, Number(c.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES));
  } catch (err) {
    if (err instanceof GatewayError) throw new ProblemError(err.status, err.status === 413 ? "Payload Too Large" : "Invalid Request Body", err.message);
    throw err;
  }
  const teams = new Set((await configDb(c.env).prepare("SELECT id FROM teams").all<{ id: string }>()).results.map((r) => r.id));
  const type = (c.request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "text/csv") {
    const source = SourceId.safeParse(c.query.get("source"));
    if (!source.success) throw new ProblemError(400, "Invalid Query", "A CSV import needs `?source=<id>` naming the bill it came from (letters, digits, . _ : / @ -).");
    return parseFocusCsv(source.data, text, teams);
  }
  if (type !== "application/json" && type !== "") throw new ProblemError(415, "Unsupported Media Type", "Send application/json or text/csv (FOCUS 1.2).");
  let raw: unknown;
  try {
    raw = parseJsonBody(text);
  } catch (err) {
    if (err instanceof GatewayError) throw new ProblemError(400, "Invalid Request Body", err.message);
    throw err;
  }
  const body = ImportJson.safeParse(raw);
  if (!body.success) {
    throw new ProblemError(400, "Invalid Request Body", body.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "),
      body.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  return parseJsonImport(body.data, teams);
}

const ForecastQuery = z.object({
  scope: z.enum(["org", "team", "workload"]).default("org"),
  id: z.string().min(1).max(64).optional(),
  horizon: z.enum(["30", "60", "90"]).default("30").transform(Number),
});

async function checkForecastAccess(c: AdminContext<unknown>, principal: Principal, scope: string, subject: string): Promise<void> {
  if (principal.role !== "team-owner") return;
  if (scope === "team" && subject === principal.team) return;
  if (scope === "workload") {
    const w = await configDb(c.env).prepare("SELECT team FROM workloads WHERE id = ?").bind(subject).first<{ team: string }>();
    if (w?.team === principal.team) return;
  }
  throw new ProblemError(403, "Forbidden", `A team owner reads forecasts of team ${principal.team} and its workloads only.`);
}

export const AdjustmentPost = z
  .object({
    kind: z.enum(["workload_change", "price_change"]),
    team: z.string().min(1).max(64).optional(),
    workload: z.string().min(1).max(64).optional(),
    model: z.string().min(1).max(128).optional(),
    /** +N% (or −N%) from `effective_from`. */
    percent: z.number().gt(-100).max(10_000).optional(),
    /** +$X per day from `effective_from` (workload or team changes). */
    usd_per_day: z.number().min(-10_000_000).max(10_000_000).optional(),
    effective_from: z.iso.date(),
    effective_to: z.iso.date().optional(),
    note: z.string().max(1000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (b.kind === "price_change" && !b.model) issue("model", "a price change names the catalog model");
    if (b.kind === "price_change" && b.percent === undefined) issue("percent", "a price change gives the percent change");
    if (b.kind === "price_change" && b.usd_per_day !== undefined) issue("usd_per_day", "a price change is a percent");
    if (b.kind === "workload_change" && b.percent === undefined && b.usd_per_day === undefined) issue("percent", "give percent or usd_per_day");
    if (b.kind === "workload_change" && b.model) issue("model", "a workload change names a workload or team, not a model");
    if (b.team && b.workload) issue("team", "name a workload or a team, not both");
    if (b.effective_to && b.effective_to < b.effective_from) issue("effective_to", "must not be before effective_from");
  });
type AdjustmentPost = z.infer<typeof AdjustmentPost>;

function adjustmentView(r: Record<string, unknown>) {
  return {
    id: r.id, kind: r.kind, team: r.team, workload: r.workload, model: r.model, percent: r.percent,
    usd_per_day: r.nusd_per_day === null ? null : nusdToUsdNumber(Number(r.nusd_per_day)),
    effective_from: r.effective_from, effective_to: r.effective_to, note: r.note, created_by: r.created_by, created_at: r.created_at,
  };
}

export const financeRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "post", path: "/usage/import", tag: "finance", status: 201, roles: ["finance"],
    summary: "Import provider spend: JSON rows or a FOCUS 1.2 CSV (text/csv, ?source=); idempotent per (source, date, team, workload, model, provider); all or nothing",
    bodyDoc: {
      schema: ImportJsonDoc,
      content: { "text/csv": { schema: { type: "string", description: "FOCUS 1.2: ChargePeriodStart, BilledCost, BillingCurrency, ServiceName, ProviderName, Tags {team, workload, model}" } } },
    },
    handler: async (c) => {
      const parsed = await readImport(c);
      if (!parsed.ok) {
        const detail = parsed.errors.map((e) => `row ${e.row}, field ${e.field}: ${e.message}`).join("; ");
        throw new ProblemError(400, "Invalid Import", `Nothing was imported. ${detail}`, parsed.errors.map((e) => ({ path: `row ${e.row}: ${e.field}`, message: e.message })));
      }
      const s = await storeImport(c.env.DB, { source: parsed.source, rows: parsed.rows, actor: c.principal.sub });
      return { import_id: s.import_id, source: s.source, rows_stored: s.rows_stored, cost_usd: nusdToUsdNumber(s.cost_nusd), from: s.from, to: s.to };
    },
  }),
  adminRoute({
    method: "get", path: "/forecasts", tag: "finance", roles: ["finance", "team-owner"],
    summary: "Spend forecast (query: scope=org|team|workload, id, horizon=30|60|90): daily p10/p50/p90, total, backtest, budget",
    handler: async (c) => {
      const q = ForecastQuery.safeParse(Object.fromEntries(c.query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const { scope, horizon } = q.data;
      if (scope !== "org" && !q.data.id) throw new ProblemError(400, "Invalid Query", `id: required for scope=${scope}.`);
      const subject = scope === "org" ? "org" : q.data.id!;
      if (c.principal.role === "team-owner" && scope === "org") throw new ProblemError(403, "Forbidden", "A team owner reads its own team's forecasts only.");
      await checkForecastAccess(c, c.principal, scope, subject);
      const now = Date.now();
      // A team or workload forecast reads only that team's spend (workload mixes are per team).
      const team = scope === "team" ? subject : scope === "workload"
        ? (await configDb(c.env).prepare("SELECT team FROM workloads WHERE id = ?").bind(subject).first<{ team: string }>())?.team
        : undefined;
      const ctx = await loadForecastContext(c.env, now, team);
      if (scope === "team" && !ctx.teams[subject]) throw new ProblemError(404, "Not Found", `No team ${subject}.`);
      if (scope === "workload" && !ctx.workloads[subject]) throw new ProblemError(404, "Not Found", `No workload ${subject}.`);
      return forecastView(forecastScope(ctx, { scope, subject, horizon }), new Date(now).toISOString());
    },
  }),
  adminRoute({
    method: "post", path: "/forecasts/adjustments", tag: "finance", status: 201, roles: ["finance"], body: AdjustmentPost,
    summary: "Record a planned change: workload/team +N% or +$X/day from a date, or a catalog model's price change",
    handler: async ({ env, body, principal }) => {
      const b = body as AdjustmentPost;
      const exists = async (table: string, value: string | undefined, field: string) => {
        if (value === undefined) return;
        const row = await env.DB.prepare(`SELECT id FROM ${table} WHERE id = ?`).bind(value).first();
        if (!row) throw new ProblemError(400, "Invalid Request Body", `${field}: no ${field} ${value}.`, [{ path: field, message: `no ${field} ${value}` }]);
      };
      await exists("teams", b.team, "team");
      await exists("workloads", b.workload, "workload");
      await exists("models", b.model, "model");
      const team = b.workload ? (await configDb(env).prepare("SELECT team FROM workloads WHERE id = ?").bind(b.workload).first<{ team: string }>())!.team : (b.team ?? null);
      const row = {
        id: `adj_${crypto.randomUUID()}`, kind: b.kind, team, workload: b.workload ?? null, model: b.model ?? null, percent: b.percent ?? null,
        nusd_per_day: b.usd_per_day === undefined ? null : usdNumberToNusd(b.usd_per_day), effective_from: b.effective_from,
        effective_to: b.effective_to ?? null, note: b.note ?? null, created_by: principal.sub, created_at: new Date().toISOString(),
      };
      await env.DB.prepare(`INSERT INTO forecast_adjustments (id, kind, team, workload, model, percent, nusd_per_day, effective_from, effective_to, note, created_by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).bind(...Object.values(row)).run();
      return adjustmentView(row);
    },
  }),
  adminRoute({
    method: "get", path: "/forecasts/adjustments", tag: "finance", roles: ["finance"], summary: "Planned changes the forecasts apply",
    handler: async ({ env }) => ({ data: (await env.DB.prepare("SELECT * FROM forecast_adjustments ORDER BY created_at").all()).results.map(adjustmentView) }),
  }),
  adminRoute({
    method: "delete", path: "/forecasts/adjustments/:id", tag: "finance", status: 204, roles: ["finance"], summary: "Withdraw a planned change",
    handler: async ({ env, params }) => {
      const r = await env.DB.prepare("DELETE FROM forecast_adjustments WHERE id = ?").bind(params.id).run();
      if (!r.meta.changes) throw new ProblemError(404, "Not Found", `No adjustment ${params.id}.`);
    },
  }),
  adminRoute({
    method: "get", path: "/forecasts/accuracy", tag: "finance", roles: ["finance"],
    summary: "Forecast vs actual per month and scope (query: month, scope); error = |forecast − actual| ÷ actual, flagged above 15%",
    handler: async ({ env, query }) => {
      const q = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/).optional(), scope: z.enum(["org", "team", "workload"]).optional() }).safeParse(Object.fromEntries(query));
      if (!q.success) throw new ProblemError(400, "Invalid Query", q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const where: string[] = [];
      const args: string[] = [];
      if (q.data.month) (where.push("month = ?"), args.push(q.data.month));
      if (q.data.scope) (where.push("scope = ?"), args.push(q.data.scope));
      const rows = await env.DB.prepare(`SELECT * FROM forecast_accuracy ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY month DESC, scope, subject LIMIT 5000`)
        .bind(...args).all<{ month: string; scope: string; subject: string; made_on: string; forecast_nusd: number; actual_nusd: number; error: number; alert_id: string | null }>();
      return {
        threshold: 0.15,
        data: rows.results.map((r) => ({
          month: r.month, scope: r.scope, id: r.subject, forecast_made_on: r.made_on, forecast_usd: nusdToUsdNumber(r.forecast_nusd),
          actual_usd: nusdToUsdNumber(r.actual_nusd), error: r.error, flagged: r.error > 0.15, alert_id: r.alert_id,
        })),
      };
    },
  }),
];
