/**
 * Shared set-up for integration tests: admin tokens and a small organisation created through
 * the real admin API (no direct table writes), so tests exercise the same path users do.
 */
import { env, SELF } from "cloudflare:test";
import { signAdminToken, type Principal } from "../../src/admin/auth";

export const BASE = "https://gateway.test";

export function adminToken(principal: Principal = { sub: "test-admin", role: "admin" }): Promise<string> {
  return signAdminToken(env.ADMIN_JWT_SECRET!, principal, "1h");
}

export async function admin(method: string, path: string, body?: unknown, principal?: Principal): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken(principal)}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function adminOk<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await admin(method, path, body);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return (res.status === 204 ? {} : await res.json()) as T;
}

export interface TestOrg {
  team: string;
  workload: string;
  apiKey: string;
  keyId: string;
}

let counter = 0;

/** A fresh team + workload + key on a simulated provider, with unique ids per call. */
export async function createOrg(opts: {
  dataClass?: "public" | "internal" | "restricted";
  residency?: "us" | "eu" | "apac";
  models?: string[];
  budgetUsd?: number;
  rpm?: number;
  tpm?: number;
  cache?: { mode: "off" | "exact" | "semantic"; ttl_s?: number; similarity?: number; scope?: "workload" | "team"; embedding_model?: string };
} = {}): Promise<TestOrg> {
  const n = `${Date.now().toString(36)}${(counter++).toString(36)}`;
  await adminOk("PUT", "/providers/sim-us", { type: "simulated", region: "us" });
  await adminOk("PUT", "/providers/sim-eu", { type: "simulated", region: "eu" });
  await adminOk("PUT", "/models/sim-chat", {
    targets: [{ provider: "sim-us", model: "sim-1" }, { provider: "sim-eu", model: "sim-1-eu" }],
    data_classes: ["public", "internal", "restricted"],
    price: { input_per_mtok: 1, output_per_mtok: 2 },
  });
  await adminOk("PUT", "/models/sim-embed", {
    kind: "embeddings",
    targets: [{ provider: "sim-us", model: "sim-embed-1" }],
    data_classes: ["public", "internal"],
    price: { input_per_mtok: 0.1, output_per_mtok: 0 },
  });
  const team = `team-${n}`;
  const workload = `wl-${n}`;
  await adminOk("PUT", `/teams/${team}`, { monthly_budget_usd: opts.budgetUsd ?? 100, rpm: opts.rpm ?? 100000, tpm: opts.tpm ?? 100000000, residency: opts.residency ?? "us" });
  await adminOk("PUT", `/workloads/${workload}`, {
    team,
    default_data_class: opts.dataClass ?? "public",
    allowed_models: opts.models ?? ["sim-chat", "sim-embed"],
    lifecycle: "production",
    ...(opts.cache ? { cache: opts.cache } : {}),
  });
  const key = await adminOk<{ id: string; api_key: string }>("POST", "/keys", { workload });
  return { team, workload, apiKey: key.api_key, keyId: key.id };
}

export function chat(apiKey: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Polls until `probe` returns a truthy value (queue consumers run asynchronously). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
