import { describe, expect, it } from "vitest";
import type { UsageEvent } from "../usage/event";
import { otlpConfig, parseOtlpHeaders } from "./export";
import { otlpMetrics, otlpTraces } from "./otlp";
import type { TraceRecord } from "./trace-context";

const resource = { serviceName: "svc", region: "us", version: "1.2" };

function event(over: Partial<UsageEvent> = {}, trace?: TraceRecord): UsageEvent {
  return {
    request_id: "req-1", client_request_id: null, ts: "2026-12-02T09:00:00.000Z", team: "t1", workload: "w1", key_id: "k1",
    model: "gpt-sim", provider: "p2", region: "us", tokens_in: 100, tokens_out: 20, cost_nusd: 140_000, latency_ms: 250,
    ttfb_ms: 40, status: 200, error_code: null, data_class: "restricted", cache: "miss", estimated: false, route: "primary",
    ...(trace ? { detail: { trace, ingress: "openai.responses" } } : {}),
    ...over,
  };
}

const start = Date.parse("2026-12-02T09:00:00.000Z");
const trace = (): TraceRecord => ({
  operation: "chat",
  trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "a1a1a1a1a1a1a1a1", parent_span_id: "00f067aa0ba902b7", sampled: true,
  attempts: [
    { span_id: "b1b1b1b1b1b1b1b1", provider: "p1", provider_type: "anthropic", model: "claude-x", start_ms: start + 5, end_ms: start + 60, ok: false, error: "status", status: 503 },
    { span_id: "c1c1c1c1c1c1c1c1", provider: "p2", provider_type: "openai", model: "gpt-x", start_ms: start + 61, end_ms: start + 100, ok: true },
  ],
});

type Attrs = Array<{ key: string; value: Record<string, unknown> }>;
const get = (a: Attrs, key: string) => Object.values(a.find((x) => x.key === key)?.value ?? {})[0];

describe("OTLP JSON payloads", () => {
  it("one server span per request with GenAI and switchyard attributes, a client span per attempt", () => {
    const payload = otlpTraces([event({}, trace()), event({ request_id: "untraced" })], resource);
    const spans = payload.resourceSpans[0].scopeSpans[0].spans;
    expect(spans).toHaveLength(3);
    const [req, failed, won] = spans;
    expect(req).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "a1a1a1a1a1a1a1a1", parentSpanId: "00f067aa0ba902b7", kind: 2, name: "chat gpt-sim", status: { code: 1 } });
    expect(req.startTimeUnixNano).toBe(`${start}000000`);
    expect(req.endTimeUnixNano).toBe(`${start + 250}000000`);
    const a = req.attributes as Attrs;
    expect(get(a, "gen_ai.operation.name")).toBe("chat");
    expect(get(a, "gen_ai.provider.name")).toBe("openai");
    expect(get(a, "gen_ai.request.model")).toBe("gpt-sim");
    expect(get(a, "gen_ai.response.model")).toBe("gpt-x");
    expect(get(a, "gen_ai.usage.input_tokens")).toBe("100");
    expect(get(a, "gen_ai.usage.output_tokens")).toBe("20");
    expect(get(a, "switchyard.cost_usd")).toBeCloseTo(0.00014, 10);
    expect(get(a, "switchyard.ingress")).toBe("openai.responses");
    expect(get(a, "switchyard.data_class")).toBe("restricted");
    expect(failed).toMatchObject({ parentSpanId: "a1a1a1a1a1a1a1a1", kind: 3, status: { code: 2 } });
    expect(get(failed.attributes as Attrs, "gen_ai.provider.name")).toBe("anthropic");
    expect(get(failed.attributes as Attrs, "error.type")).toBe("status");
    expect(get(won.attributes as Attrs, "switchyard.fallback")).toBe(true);
    // The winner relays its answer until the request ends.
    expect(won.endTimeUnixNano).toBe(`${start + 250}000000`);
    expect(payload.resourceSpans[0].resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "svc" } });
  });

  it("carries metadata only: no attribute holds content, whatever the class", () => {
    const keys = otlpTraces([event({}, trace())], resource).resourceSpans[0].scopeSpans[0].spans.flatMap((s) => (s.attributes as Attrs).map((x) => x.key));
    for (const k of keys) expect(k).toMatch(/^(gen_ai\.(operation|provider|request|response|usage)\.|switchyard\.|http\.|error\.)/);
    expect(keys.some((k) => /prompt|completion|message|content/.test(k))).toBe(false);
  });

  it("marks a refused request's span as an error; unsampled traces are not exported", () => {
    const refused = otlpTraces([event({ status: 429, error_code: "budget_exceeded", tokens_in: 0, tokens_out: 0 }, { ...trace(), attempts: [] })], resource);
    const span = refused.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.status).toEqual({ code: 2, message: "budget_exceeded" });
    expect(get(span.attributes as Attrs, "error.type")).toBe("budget_exceeded");
    expect(otlpTraces([event({}, { ...trace(), sampled: false })], resource).resourceSpans).toEqual([]);
  });

  it("token-usage and duration histograms and a cost sum, per attribute set", () => {
    const now = start + 10_000;
    const payload = otlpMetrics([event({}, trace()), event({ tokens_in: 5000 }, trace()), event({ status: 503, error_code: "upstream_error" }, trace())], resource, now);
    const metrics = payload.resourceMetrics[0].scopeMetrics[0].metrics;
    const tokens = metrics.find((m) => m.name === "gen_ai.client.token.usage")!.histogram!;
    const input = tokens.dataPoints.find((p) => get(p.attributes, "gen_ai.token.type") === "input")!;
    expect(input).toMatchObject({ count: "2", sum: 5100, min: 100, max: 5000 });
    expect(input.bucketCounts.reduce((s, c) => s + Number(c), 0)).toBe(2);
    expect(tokens.aggregationTemporality).toBe(1);
    const duration = metrics.find((m) => m.name === "gen_ai.client.operation.duration")!.histogram!;
    expect(duration.dataPoints.map((p) => Number(p.count)).reduce((a, b) => a + b)).toBe(3);
    expect(duration.dataPoints.some((p) => get(p.attributes, "error.type") === "upstream_error")).toBe(true);
    const cost = metrics.find((m) => m.name === "switchyard.cost")!.sum!;
    expect(cost.dataPoints[0].asDouble).toBeCloseTo(0.00028, 10);
  });

  it("names embeddings requests by their operation; usage events without a trace (imports) are no GenAI calls", () => {
    const embed = { ...trace(), operation: "embeddings" as const };
    const span = otlpTraces([event({}, embed)], resource).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.name).toBe("embeddings gpt-sim");
    expect(get(span.attributes as Attrs, "gen_ai.operation.name")).toBe("embeddings");
    expect(otlpMetrics([event()], resource, start).resourceMetrics).toEqual([]);
    // Unsampled requests are still counted in metrics.
    const unsampled = otlpMetrics([event({}, { ...trace(), sampled: false })], resource, start + 1000);
    expect(unsampled.resourceMetrics[0].scopeMetrics[0].metrics[1].histogram!.dataPoints[0].count).toBe("1");
  });
});

describe("OTLP configuration", () => {
  it("is off without an endpoint; appends the signal paths to the base URL; parses headers", () => {
    expect(otlpConfig({ REGION: "us", VERSION: "1" })).toBeUndefined();
    const c = otlpConfig({ REGION: "us", VERSION: "1", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/", OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20abc, x-team = ops,bad" })!;
    expect(c.tracesUrl).toBe("http://collector:4318/v1/traces");
    expect(c.metricsUrl).toBe("http://collector:4318/v1/metrics");
    expect(c.headers).toEqual({ authorization: "Bearer abc", "x-team": "ops" });
    expect(c.resource.serviceName).toBe("switchyard");
    expect(parseOtlpHeaders("a=%E0%A4%A,b=2")).toEqual({ b: "2" });
  });
});
