import { describe, expect, it } from "vitest";
import type { UsageEvent } from "../usage/event";
import { RETENTION_DAYS, bodyKey, buildLogRecord, isLogRecord, requestIdOfKey } from "./tier";

const usage = (data_class: UsageEvent["data_class"]): UsageEvent => ({
  request_id: "r/1", ts: "2026-07-01T10:00:00.000Z", team: "t", workload: "w", key_id: "k", model: "m", provider: "p", region: "us",
  tokens_in: 1, tokens_out: 2, cost_nusd: 3, latency_ms: 4, ttfb_ms: 5, status: 200, error_code: null, data_class, cache: "off", estimated: false, route: null,
  detail: { dlp_request: { types: ["EMAIL_ADDRESS"], blocked: [], findings: 1 } },
});
const bodies = { request: { messages: ["secret prompt"] }, response: { content: "secret answer" } };

describe("log tiers", () => {
  it("restricted records never carry bodies, whatever the caller passes", () => {
    const r = buildLogRecord(usage("restricted"), bodies, 0);
    expect(r.bodies).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain("secret");
    // An unknown class (a refusal before classification) is treated as restricted.
    expect(buildLogRecord(usage(null), bodies, 0).bodies).toBeUndefined();
  });

  it("public and internal keep bodies, with retention by class and DLP types only", () => {
    const r = buildLogRecord(usage("internal"), bodies, Date.UTC(2026, 6, 1));
    expect(r.bodies).toEqual(bodies);
    expect(r.dlp_types).toEqual(["EMAIL_ADDRESS"]);
    expect(Date.parse(r.expires_at) - Date.UTC(2026, 6, 1)).toBe(RETENTION_DAYS.internal * 86_400_000);
    expect(isLogRecord(r)).toBe(true);
    expect(isLogRecord(usage("public"))).toBe(false);
  });

  it("body keys round-trip the request id", () => {
    const key = bodyKey("public", "2026-07-01T10:00:00Z", "r/1");
    expect(key).toBe("logs/public/2026-07-01/r%2F1.json");
    expect(requestIdOfKey(key)).toBe("r/1");
    expect(requestIdOfKey("reports/x.json")).toBeUndefined();
  });
});
