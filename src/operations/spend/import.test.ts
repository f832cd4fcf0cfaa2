import { describe, expect, it } from "vitest";
import { focusCsv } from "../reports/focus-csv";
import { parseCsv, toCsv } from "./csv";
import { parseFocusCsv, parseJsonImport } from "./import";
import { formatUsd, parseUsdToNusd, usdNumberToNusd } from "./money";

describe("exact money", () => {
  it("parses decimal text digit by digit (no float drift) and formats back", () => {
    expect(parseUsdToNusd("0.1")).toBe(100_000_000);
    expect(parseUsdToNusd("1234567.123456789")).toBe(1_234_567_123_456_789);
    expect(parseUsdToNusd("1e3")).toBeNull();
    expect(parseUsdToNusd("1.0000000001")).toBeNull();
    expect(usdNumberToNusd(0.1 + 0.2)).toBe(300_000_000); // binary noise past nano-dollars is rounded away
    expect(usdNumberToNusd(1e-12)).toBe(0);
    expect(usdNumberToNusd(Number.NaN)).toBeNull();
  });
  it("sums ten 0.1 rows to exactly 1 dollar and rounds only when formatting", () => {
    const total = Array.from({ length: 10 }, () => parseUsdToNusd("0.1")!).reduce((a, b) => a + b, 0);
    expect(total).toBe(1_000_000_000);
    expect(formatUsd(1_234_567_891, 2)).toBe("1.23");
    expect(formatUsd(5_000_000, 2)).toBe("0.01");
    expect(formatUsd(-1_500_000_000, 0)).toBe("-2");
    expect(formatUsd(7, 9)).toBe("0.000000007");
  });
});

describe("CSV", () => {
  it("round-trips quotes, commas, newlines and a byte-order mark", () => {
    const text = toCsv(["a", "b"], [['say "hi", then', "line\nbreak"], ["", 3]]);
    expect(parseCsv(`\ufeff${text}`)).toEqual([["a", "b"], ['say "hi", then', "line\nbreak"], ["", "3"]]);
    expect(() => parseCsv('a,"b\n')).toThrow(/Unterminated/);
  });
});

describe("JSON import rows", () => {
  it("names the row and field of each bad row", () => {
    const r = parseJsonImport({ source: "s", rows: [{ date: "2026-01-01", team: "t", cost_usd: 1 }, { date: "2026-01-01", team: "t", cost_usd: -1 }, { team: "t", cost_usd: 1 }] }, new Set(["t"]));
    expect(r).toEqual({ ok: false, errors: [
      { row: 2, field: "cost_usd", message: expect.any(String) },
      { row: 3, field: "date", message: expect.any(String) },
    ] });
  });
  it("sums rows with the same key", () => {
    const r = parseJsonImport({ source: "s", rows: [{ date: "2026-01-01", team: "t", cost_usd: "0.1", requests: 1 }, { date: "2026-01-01", team: "t", cost_usd: "0.2", requests: 2 }] });
    expect(r).toMatchObject({ ok: true, rows: [{ cost_nusd: 300_000_000, requests: 3, workload: "-", model: "-", provider: "-" }] });
  });
});

describe("FOCUS 1.2", () => {
  it("reads back the report's own attachment exactly", () => {
    const rows = [
      { day: "2026-11-03", team: "ops", workload: "bot", model: "gpt-sim", provider: "sim-us", requests: 10, cache_hits: 1, tokens_in: 100, tokens_out: 20, cost_nusd: 1_234_567_891 },
      { day: "2026-11-04", team: "ops", workload: "bot", model: "gpt-sim", provider: "sim-us", requests: 5, cache_hits: 0, tokens_in: 50, tokens_out: 10, cost_nusd: 7 },
    ];
    const parsed = parseFocusCsv("self", focusCsv({ first: "2026-11-01", last: "2026-11-30" }, rows));
    expect(parsed).toMatchObject({ ok: true, rows: [
      { day: "2026-11-03", team: "ops", workload: "bot", model: "gpt-sim", provider: "sim-us", cost_nusd: 1_234_567_891, requests: 10, tokens_in: 100, tokens_out: 20 },
      { day: "2026-11-04", cost_nusd: 7 },
    ] });
  });
  it("nets credits against usage; a negative amount on a usage row is refused", () => {
    const head = "ChargePeriodStart,ChargeCategory,BilledCost,BillingCurrency,ServiceName,Tags";
    const tags = '"{""team"":""ops""}"';
    expect(parseFocusCsv("s", `${head}\n2026-01-01,Usage,10.5,USD,svc,${tags}\n2026-01-01,Credit,-0.5,USD,svc,${tags}\n`)).toMatchObject({ ok: true, rows: [{ cost_nusd: 10_000_000_000 }] });
    expect(parseFocusCsv("s", `${head}\n2026-01-01,Usage,-1,USD,svc,${tags}\n`)).toMatchObject({ ok: false, errors: [{ row: 2, field: "BilledCost" }] });
  });

  it("refuses missing columns, bad tags and short rows with the line number", () => {
    expect(parseFocusCsv("s", "BilledCost\n1\n")).toMatchObject({ ok: false, errors: [{ row: 1 }] });
    const head = "ChargePeriodStart,BilledCost,BillingCurrency,ServiceName,Tags";
    expect(parseFocusCsv("s", `${head}\n2026-01-01,1,USD,svc,not-json\n`)).toMatchObject({ ok: false, errors: [{ row: 2, field: "Tags" }] });
    expect(parseFocusCsv("s", `${head}\n2026-01-01,1,USD\n`)).toMatchObject({ ok: false, errors: [{ row: 2, field: "(row)" }] });
    expect(parseFocusCsv("s", `${head}\n2026-01-01,1,USD,svc,"{""workload"":""w""}"\n`)).toMatchObject({ ok: false, errors: [{ row: 2, field: "Tags.team" }] });
  });
});
