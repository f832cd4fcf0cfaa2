/**
 * Set-up shared by routing, chaos and failover tests: a provider group of fresh simulated
 * providers (unique ids per call, so circuit state never leaks between tests) and an org allowed
 * to use it.
 */
import { env } from "cloudflare:test";
import { adminOk, createOrg, eventually, type TestOrg } from "./helpers";

let n = 0;

export interface Group {
  model: string;
  providers: string[];
  org: TestOrg;
}

/** Creates `count` simulated providers in `region` and a model over them, in that order. */
export async function providerGroup(opts: {
  count?: number;
  region?: "us" | "eu" | "apac";
  regions?: Array<"us" | "eu" | "apac">;
  /** Attempt timeout of every target (default 400 ms); null leaves it unset (the 30 s default). */
  timeoutMs?: number | null;
  targets?: Array<Record<string, unknown>>;
  model?: Record<string, unknown>;
  org?: Parameters<typeof createOrg>[0];
} = {}): Promise<Group> {
  const id = `${Date.now().toString(36)}${(n++).toString(36)}`;
  const count = opts.count ?? 2;
  const providers = Array.from({ length: count }, (_, i) => `p${i}-${id}`);
  for (let i = 0; i < count; i++) await adminOk("PUT", `/providers/${providers[i]}`, { type: "simulated", region: opts.regions?.[i] ?? opts.region ?? "us" });
  const model = `m-${id}`;
  await adminOk("PUT", `/models/${model}`, {
    targets: providers.map((p, i) => ({
      provider: p,
      model: `sim-${i}`,
      ...(opts.timeoutMs === null ? {} : { timeout_ms: opts.timeoutMs ?? 400 }),
      ...(opts.targets?.[i] ?? {}),
    })),
    data_classes: ["public", "internal", "restricted"],
    price: { input_per_mtok: 1, output_per_mtok: 2 },
    ...(opts.model ?? {}),
  });
  const org = await createOrg({ models: [model, "sim-chat", "sim-embed"], ...(opts.org ?? {}) });
  return { model, providers, org };
}

export function faults(provider: string, body: Record<string, unknown>) {
  return adminOk("PUT", `/providers/${provider}/faults`, body);
}

/** Waits until every given request id has its usage row, then returns the rows. */
/** Usage rows by the gateway's request ids or the client's `x-request-id`s (public/internal requests). */
export async function usageRows(ids: string[], db: D1Database = env.DB): Promise<Array<Record<string, unknown>>> {
  const placeholders = ids.map(() => "?").join(",");
  return eventually(async () => {
    const rows = await db.prepare(`SELECT * FROM usage_events WHERE request_id IN (${placeholders}) OR client_request_id IN (${placeholders})`)
      .bind(...ids, ...ids)
      .all<Record<string, unknown>>();
    return rows.results.length >= ids.length ? rows.results : undefined;
  });
}

export const msg = (content = "hello") => ({ messages: [{ role: "user", content }] });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
