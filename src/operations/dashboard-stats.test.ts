import { describe, expect, it } from "vitest";
import { isFallback, percentile, summariseDlp, trafficByProvider, type TrafficRow } from "./dashboard-stats";

const row = (p: Partial<TrafficRow>): TrafficRow => ({ provider: "a", region: "us", latency_ms: 100, status: 200, cache: "off", route: null, ...p });

describe("dashboard stats", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([10], 0.95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
  });

  it("recognises fallbacks from the route column", () => {
    expect(isFallback("default ordered; served=b after=a:timeout")).toBe(true);
    expect(isFallback("default ordered; served=b skipped_open=a")).toBe(true);
    expect(isFallback("default ordered; served=a")).toBe(false);
    expect(isFallback(null)).toBe(false);
  });

  it("groups by provider and region with error, fallback and cache-hit rates", () => {
    const stats = trafficByProvider([
      row({ latency_ms: 100, cache: "hit" }), row({ latency_ms: 300, cache: "miss", status: 502 }),
      row({ latency_ms: 200, route: "served=a after=b:5xx" }), row({ region: "eu" }), row({ provider: null, status: 403 }),
    ]);
    expect(stats[0]).toMatchObject({ provider: "a", region: "us", requests: 3, errors: 1, error_rate: 0.3333, p50_ms: 200, p95_ms: 300, fallbacks: 1, cache_hit_rate: 0.5 });
    expect(stats.find((s) => s.region === "eu")?.cache_hit_rate).toBeNull();
    // A policy refusal (403) is not a provider error.
    expect(stats.find((s) => s.provider === "(none)")?.errors).toBe(0);
  });

  it("summarises DLP findings and blocks, skipping rows without readable findings", () => {
    const s = summariseDlp([
      { request_id: "1", ts: "2026-01-02", team: "t", workload: "w", status: 403, detail: '{"dlp_request":{"types":["SECRET","EMAIL"],"blocked":["SECRET"]}}' },
      { request_id: "2", ts: "2026-01-03", team: "t", workload: "w", status: 200, detail: '{"dlp_response":{"types":["EMAIL"]}}' },
      { request_id: "3", ts: "2026-01-04", team: "t", workload: "w", status: 200, detail: "not json" },
      { request_id: "4", ts: "2026-01-05", team: "u", workload: "w", status: 200, detail: '{"dlp_request":{"types":[]}}' },
    ]);
    expect(s.requests_with_findings).toBe(2);
    expect(s.blocked_requests).toBe(1);
    expect(s.by_type).toEqual([{ type: "EMAIL", requests: 2, blocked: 0 }, { type: "SECRET", requests: 1, blocked: 1 }]);
    expect(s.by_team).toEqual([{ team: "t", requests: 2, blocked: 1 }]);
    expect(s.recent.map((r) => r.request_id)).toEqual(["2", "1"]);
  });
});
