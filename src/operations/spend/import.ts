/**
 * @module
 * Provider spend imports: the JSON row shape and FOCUS 1.2 CSV (the FinOps Foundation's billing
 * schema) parsed and validated into one row type. Every row is checked; the first bad ones are
 * reported by row number and field, and a request with any bad row writes nothing. Rows with the
 * same key (source, date, team, workload, model, provider) in one request are summed (a FOCUS
 * export has a row per SKU and charge), then stored so that importing the same bill twice gives
 * the same numbers.
 */
import { z } from "zod";
import { parseCsv } from "./csv";
import { parseUsdToNusd, usdNumberToNusd } from "./money";
import type { SpendFact } from "./history";

export const MAX_IMPORT_ROWS = 50_000;
const IdText = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "letters, digits and . _ : / @ -");
const TeamId = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, "a team id (lowercase letters, digits, '.', '_', '-')");
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ImportRowJson = z
  .object({
    date: z.iso.date(),
    team: TeamId,
    workload: IdText.optional(),
    model: IdText.optional(),
    provider: IdText.optional(),
    cost_usd: z.union([z.number(), z.string()]),
    tokens_in: Count.optional(),
    tokens_out: Count.optional(),
    requests: Count.optional(),
  })
  .strict();

export const ImportJson = z
  .object({ source: IdText, rows: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS) })
  .strict();

/** Documentation shape of the JSON body (rows validated one by one so errors name the row). */
export const ImportJsonDoc = z.object({ source: IdText, rows: z.array(ImportRowJson) });

/** One imported day of provider spend: a spend fact's columns plus the volumes a bill may carry. */
export interface SpendRow extends Omit<SpendFact, "source"> {
  tokens_in: number | null;
  tokens_out: number | null;
  requests: number | null;
}

export interface RowError {
  /** 1-based: the JSON array index + 1, or the CSV line number (header = line 1). */
  row: number;
  field: string;
  message: string;
}

export type ParsedImport = { ok: true; source: string; rows: SpendRow[] } | { ok: false; errors: RowError[] };

const MAX_ERRORS = 20;

function costOf(raw: string | number): number | null {
  const nusd = typeof raw === "number" ? usdNumberToNusd(raw) : parseUsdToNusd(raw);
  return nusd !== null && nusd >= 0 ? nusd : null;
}

/** Sums rows that share a key; returns them in key order. */
export function mergeRows(rows: SpendRow[]): SpendRow[] {
  const byKey = new Map<string, SpendRow>();
  const plus = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
  for (const r of rows) {
    const key = [r.day, r.team, r.workload, r.model, r.provider].join("\u0000");
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...r });
    else {
      seen.cost_nusd += r.cost_nusd;
      seen.tokens_in = plus(seen.tokens_in, r.tokens_in);
      seen.tokens_out = plus(seen.tokens_out, r.tokens_out);
      seen.requests = plus(seen.requests, r.requests);
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
}

/**
 * @example parseJsonImport({ source: "openai-invoice", rows: [{ date: "2026-09-01", team: "support", cost_usd: 12.5 }] })
 */
export function parseJsonImport(body: z.infer<typeof ImportJson>, knownTeams?: ReadonlySet<string>): ParsedImport {
  const errors: RowError[] = [];
  const rows: SpendRow[] = [];
  body.rows.forEach((raw, i) => {
    if (errors.length >= MAX_ERRORS) return;
    const parsed = ImportRowJson.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 3)) errors.push({ row: i + 1, field: issue.path.join(".") || "(row)", message: issue.message });
      return;
    }
    const r = parsed.data;
    if (knownTeams && !knownTeams.has(r.team)) return void errors.push({ row: i + 1, field: "team", message: `no team ${r.team}; create it first (PUT /admin/v1/teams/${r.team})` });
    const cost = costOf(r.cost_usd);
    if (cost === null) return void errors.push({ row: i + 1, field: "cost_usd", message: "a non-negative decimal amount in USD with at most 9 decimals" });
    rows.push({
      day: r.date, team: r.team, workload: r.workload ?? "-", model: r.model ?? "-", provider: r.provider ?? "-", cost_nusd: cost,
      tokens_in: r.tokens_in ?? null, tokens_out: r.tokens_out ?? null, requests: r.requests ?? null,
    });
  });
  return errors.length ? { ok: false, errors } : { ok: true, source: body.source, rows: mergeRows(rows) };
}

/** FOCUS 1.2 columns read; the rest of an export is ignored. Tags is FOCUS's JSON key-value column. */
export const FOCUS_REQUIRED = ["ChargePeriodStart", "BilledCost", "BillingCurrency", "ServiceName", "Tags"] as const;

function focusTags(text: string): Record<string, string> | null {
  if (text.trim() === "") return {};
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) return null;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/^(user|x)[_:]/, ""), String(x)]));
  } catch {
    return null;
  }
}

function optionalCount(text: string | undefined): number | null | undefined {
  if (text === undefined || text.trim() === "") return null;
  return /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/**
 * A FOCUS 1.2 export: day from ChargePeriodStart, amount from BilledCost (USD only; negative only for
 * ChargeCategory Credit or Adjustment, which then net against that day's usage), provider from
 * ProviderName (else ServiceName), team/workload/model from Tags (`team`, `workload`, `model`),
 * optional counts from x_TokensIn, x_TokensOut, x_Requests.
 * @example parseFocusCsv("focus-aws", csvText)
 */
export function parseFocusCsv(source: string, text: string, knownTeams?: ReadonlySet<string>): ParsedImport {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (err) {
    return { ok: false, errors: [{ row: 0, field: "(file)", message: (err as Error).message }] };
  }
  const header = table[0] ?? [];
  const missing = FOCUS_REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) return { ok: false, errors: [{ row: 1, field: missing.join(","), message: "required FOCUS 1.2 column missing from the header" }] };
  if (table.length - 1 > MAX_IMPORT_ROWS) return { ok: false, errors: [{ row: 0, field: "(file)", message: `at most ${MAX_IMPORT_ROWS} rows per import` }] };
  if (table.length < 2) return { ok: false, errors: [{ row: 1, field: "(file)", message: "no data rows" }] };
  const col = (name: string) => header.indexOf(name);
  const errors: RowError[] = [];
  const rows: SpendRow[] = [];
  for (let i = 1; i < table.length && errors.length < MAX_ERRORS; i++) {
    const line = i + 1;
    const f = table[i];
    if (f.length === 1 && f[0] === "") continue;
    const get = (name: string) => (col(name) >= 0 ? f[col(name)] : undefined);
    const fail = (field: string, message: string) => void errors.push({ row: line, field, message });
    if (f.length !== header.length) { fail("(row)", `has ${f.length} fields; the header has ${header.length}`); continue; }
    const start = get("ChargePeriodStart")!;
    const day = /^(\d{4}-\d{2}-\d{2})([T ][0-9:.]+(Z|[+-]00:?00)?)?$/.exec(start.trim())?.[1];
    if (!day || !z.iso.date().safeParse(day).success) { fail("ChargePeriodStart", "an ISO 8601 UTC date or date-time"); continue; }
    if (get("BillingCurrency")!.trim() !== "USD") { fail("BillingCurrency", "only USD bills are accepted"); continue; }
    // Credits and adjustments (refunds, commitment discounts) are negative in FOCUS; usage is not.
    const credit = ["Credit", "Adjustment"].includes((get("ChargeCategory") ?? "").trim());
    const billed = get("BilledCost")!.trim();
    const cost = credit && billed.startsWith("-") ? (costOf(billed.slice(1)) === null ? null : -costOf(billed.slice(1))!) : costOf(billed);
    if (cost === null) { fail("BilledCost", "a decimal amount with at most 9 decimals, negative only for ChargeCategory Credit or Adjustment"); continue; }
    const tags = focusTags(get("Tags")!);
    if (!tags) { fail("Tags", "a JSON object of tag names to values"); continue; }
    if (!tags.team || !TeamId.safeParse(tags.team).success) { fail("Tags.team", "a team id tag is required"); continue; }
    if (knownTeams && !knownTeams.has(tags.team)) { fail("Tags.team", `no team ${tags.team}; create it first`); continue; }
    const provider = (get("ProviderName") || get("ServiceName") || "-").trim();
    const named = { workload: tags.workload ?? "-", model: tags.model ?? "-", provider: provider || "-" };
    const bad = Object.entries(named).find(([, v]) => v !== "-" && !IdText.safeParse(v.replace(/\s+/g, "-")).success);
    if (bad) { fail(bad[0] === "provider" ? "ProviderName" : `Tags.${bad[0]}`, "letters, digits and . _ : / @ - only"); continue; }
    const counts = { tokens_in: optionalCount(get("x_TokensIn")), tokens_out: optionalCount(get("x_TokensOut")), requests: optionalCount(get("x_Requests")) };
    const badCount = Object.entries(counts).find(([, v]) => v === undefined);
    if (badCount) { fail(`x_${badCount[0] === "requests" ? "Requests" : badCount[0] === "tokens_in" ? "TokensIn" : "TokensOut"}`, "a non-negative integer"); continue; }
    rows.push({
      day, team: tags.team, ...named, provider: named.provider.replace(/\s+/g, "-").toLowerCase(), cost_nusd: cost,
      tokens_in: counts.tokens_in ?? null, tokens_out: counts.tokens_out ?? null, requests: counts.requests ?? null,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, source, rows: mergeRows(rows) };
}
