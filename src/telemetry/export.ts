/**
 * @module
 * OTLP/HTTP JSON export, configured the way every OpenTelemetry SDK is: OTEL_EXPORTER_OTLP_ENDPOINT
 * (the collector's base URL; `/v1/traces` and `/v1/metrics` are appended), optional per-signal
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _METRICS_ENDPOINT (used as given), OTEL_EXPORTER_OTLP_HEADERS
 * (`k=v,k2=v2`, values URL-encoded) and OTEL_SERVICE_NAME. Off when no endpoint is set.
 *
 * Why the usage-queue consumer exports, not the request: every request's usage event (carrying
 * its trace record) already leaves through the queue, batched per isolate and again per queue
 * batch, so export costs the hot path nothing more and sends one POST per signal per batch.
 * Export is best effort: a collector that is down loses that batch's telemetry, never its usage.
 */
import type { Env } from "../env";
import type { UsageEvent } from "../usage/event";
import { otlpMetrics, otlpTraces, type OtlpResource } from "./otlp";

export interface OtlpConfig {
  tracesUrl: string;
  metricsUrl: string;
  headers: Record<string, string>;
  resource: OtlpResource;
}

type OtelEnv = Pick<
  Env,
  | "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" | "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
  | "OTEL_EXPORTER_OTLP_HEADERS" | "OTEL_SERVICE_NAME" | "REGION" | "VERSION"
>;

/**
 * Parses OTEL_EXPORTER_OTLP_HEADERS; malformed entries are skipped (as the SDKs do).
 * @example parseOtlpHeaders("authorization=Bearer%20x,x-tenant=acme") // { authorization: "Bearer x", "x-tenant": "acme" }
 */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (value ?? "").split(",")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(entry.slice(0, eq).trim()).toLowerCase()] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      // A malformed percent-escape: skip the entry rather than the whole export.
    }
  }
  return out;
}

/** The exporter's configuration, or undefined when export is off. */
export function otlpConfig(env: OtelEnv): OtlpConfig | undefined {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim().replace(/\/+$/, "");
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base}/v1/traces` : undefined);
  const metrics = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim() || (base ? `${base}/v1/metrics` : undefined);
  if (!traces || !metrics) return undefined;
  return {
    tracesUrl: traces,
    metricsUrl: metrics,
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    resource: { serviceName: env.OTEL_SERVICE_NAME?.trim() || "switchyard", region: env.REGION, version: env.VERSION },
  };
}

/** True when requests should start traces for export (read on the request path: a property check). */
export function otlpEnabled(env: Pick<Env, "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT">): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

async function post(url: string, headers: Record<string, string>, payload: unknown, fetcher: typeof fetch): Promise<void> {
  const init = { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(payload) };
  const res = await fetcher(url, init);
  await res.body?.cancel();
  if (!res.ok) throw new Error(`OTLP export to ${new URL(url).pathname} answered ${res.status}`);
}

/**
 * Exports a consumer batch's traces and metrics; never throws (failures are logged).
 * @example await exportTelemetry(env, usageEvents)
 */
export async function exportTelemetry(env: OtelEnv, events: readonly UsageEvent[], fetcher: typeof fetch = fetch): Promise<void> {
  const config = otlpConfig(env);
  if (!config || events.length === 0) return;
  const traces = otlpTraces(events, config.resource);
  const metrics = otlpMetrics(events, config.resource, Date.now());
  const results = await Promise.allSettled([
    traces.resourceSpans.length ? post(config.tracesUrl, config.headers, traces, fetcher) : Promise.resolve(),
    metrics.resourceMetrics.length ? post(config.metricsUrl, config.headers, metrics, fetcher) : Promise.resolve(),
  ]);
  for (const r of results) {
    if (r.status !== "rejected") continue;
    console.warn("OTLP export failed", { error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  }
}
