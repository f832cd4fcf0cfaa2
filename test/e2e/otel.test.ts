/**
 * OpenTelemetry export against a local OTLP collector (./otlp-receiver.ts): the gateway was
 * started with OTEL_EXPORTER_OTLP_* set (global setup). A request carrying a W3C traceparent
 * is served through a fallback (a dead provider first, then an OpenAI-compatible upstream that is
 * the receiver itself), so one trace shows the request span, both attempt spans, the
 * traceparent the upstream saw, and the batch's GenAI metrics.
 */
import { SignJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Received } from "./otlp-receiver";

const url = inject("gatewayUrl");
const otlp = inject("otlpUrl");

interface Span {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>; status: { code: number };
}

async function adminPut(path: string, body: unknown, method = "PUT"): Promise<Record<string, unknown>> {
  const token = await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).setSubject("otel-test").setIssuer("switchyard")
    .setAudience("switchyard-admin").setExpirationTime("5m").sign(new TextEncoder().encode(inject("adminSecret")));
  const res = await fetch(`${url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function received(): Promise<Received[]> {
  return (await (await fetch(`${otlp}/__received`)).json()) as Received[];
}

function spansOf(records: Received[]): Span[] {
  return records.filter((r) => r.path === "/v1/traces")
    .flatMap((r) => (r.body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }> }).resourceSpans)
    .flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans));
}

const attr = (span: Span, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

let apiKey = "";

beforeAll(async () => {
  await adminPut("/providers/otel-dead", { type: "openai-compatible", base_url: "http://127.0.0.1:1/v1", region: "us" });
  await adminPut("/providers/otel-up", { type: "openai-compatible", base_url: `${otlp}/v1`, region: "us" });
  await adminPut("/models/otel-chat", {
    targets: [{ provider: "otel-dead", model: "dead-1" }, { provider: "otel-up", model: "otel-upstream-1" }],
    data_classes: ["public", "internal", "restricted"],
    price: { input_per_mtok: 1, output_per_mtok: 2 },
  });
  await adminPut("/workloads/otel-wl", { team: "support", default_data_class: "public", allowed_models: ["otel-chat"], lifecycle: "production" });
  apiKey = String((await adminPut("/keys", { workload: "otel-wl" }, "POST")).api_key);
});

describe("OpenTelemetry export", () => {
  it("exports a request span with GenAI attributes under the caller's trace, attempt spans showing the fallback, and propagates traceparent upstream", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    // Admin changes reach the edge within seconds: retry until the new model is served.
    const res = await eventually(async () => {
      const r = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": apiKey, "content-type": "application/json", traceparent: `00-${traceId}-${parent}-01` },
        body: JSON.stringify({ model: "otel-chat", max_tokens: 32, messages: [{ role: "user", content: "trace me" }] }),
      });
      if (r.status === 200) return r;
      await r.arrayBuffer();
      return undefined;
    });
    const rid = res.headers.get("x-request-id")!;
    expect(((await res.json()) as { content: Array<{ text: string }> }).content[0].text).toBe("traced answer ok");
    const span = await eventually(async () => spansOf(await received()).find((s) => attr(s, "switchyard.request_id") === rid));
    expect(span).toMatchObject({ traceId, parentSpanId: parent, kind: 2, name: "chat otel-chat", status: { code: 1 } });
    expect(attr(span, "gen_ai.operation.name")).toBe("chat");
    expect(attr(span, "gen_ai.request.model")).toBe("otel-chat");
    expect(attr(span, "gen_ai.response.model")).toBe("otel-upstream-1");
    expect(attr(span, "gen_ai.provider.name")).toBe("openai");
    expect(attr(span, "gen_ai.usage.input_tokens")).toBe("7");
    expect(attr(span, "gen_ai.usage.output_tokens")).toBe("3");
    expect(attr(span, "switchyard.team")).toBe("support");
    expect(attr(span, "switchyard.workload")).toBe("otel-wl");
    expect(attr(span, "switchyard.data_class")).toBe("public");
    expect(attr(span, "switchyard.ingress")).toBe("anthropic.messages");
    expect(attr(span, "switchyard.cache")).toBeDefined();
    expect(attr(span, "switchyard.route")).toBeDefined();
    const records = await received();
    const children = spansOf(records).filter((s) => s.parentSpanId === span.spanId);
    const winner = children.find((c) => attr(c, "switchyard.provider") === "otel-up")!;
    expect(winner).toMatchObject({ kind: 3, traceId, status: { code: 1 } });
    // The first target is dead: its failed attempt is a sibling span before the winner's.
    const dead = children.find((c) => attr(c, "switchyard.provider") === "otel-dead");
    if (dead) {
      expect(dead.status.code).toBe(2);
      expect(attr(dead, "error.type")).toBeDefined();
      expect(attr(winner, "switchyard.fallback")).toBe(true);
    }
    const upstream = records.filter((r) => r.path === "/v1/chat/completions").map((r) => r.headers.traceparent);
    expect(upstream).toContain(`00-${traceId}-${winner.spanId}-01`);
    const collectorCall = records.find((r) => r.path === "/v1/traces")!;
    expect(collectorCall.headers.authorization).toBe("Bearer otel-test");
    expect(collectorCall.headers["x-tenant"]).toBe("acme");
  });

  it("shows fallbacks: a request that found the dead target first has a failed attempt span", async () => {
    const spans = spansOf(await received());
    const withFallback = spans.find((s) => attr(s, "switchyard.fallback") === true && attr(s, "switchyard.provider") === "otel-up");
    expect(withFallback).toBeDefined();
    const siblings = spans.filter((s) => s.parentSpanId === withFallback!.parentSpanId);
    expect(siblings.find((s) => attr(s, "switchyard.provider") === "otel-dead")?.status.code).toBe(2);
  });

  it("exports GenAI metrics and, for a restricted streamed request, metadata only", async () => {
    const secret = `restricted-prompt-${Date.now()}`;
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": apiKey, "content-type": "application/json", "x-data-class": "restricted" },
      body: JSON.stringify({ model: "otel-chat", max_tokens: 32, stream: true, messages: [{ role: "user", content: secret }] }),
    });
    expect(res.status).toBe(200);
    const rid = res.headers.get("x-request-id")!;
    expect(await res.text()).toContain("message_stop");
    const span = await eventually(async () => spansOf(await received()).find((s) => attr(s, "switchyard.request_id") === rid));
    expect(attr(span, "switchyard.data_class")).toBe("restricted");
    const exported = (await received()).filter((r) => r.path === "/v1/traces" || r.path === "/v1/metrics");
    expect(JSON.stringify(exported)).not.toContain(secret);
    expect(JSON.stringify(exported)).not.toContain("traced answer ok");
    const metrics = exported.filter((r) => r.path === "/v1/metrics")
      .flatMap((r) => (r.body as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }> }).resourceMetrics)
      .flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)));
    expect(metrics).toEqual(expect.arrayContaining(["gen_ai.client.token.usage", "gen_ai.client.operation.duration", "switchyard.cost"]));
    const resource = (exported[0].body as { resourceSpans?: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }> });
    const service = (resource.resourceSpans ?? [])[0]?.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
    if (resource.resourceSpans) expect(service).toBe("switchyard-e2e");
  });
});
