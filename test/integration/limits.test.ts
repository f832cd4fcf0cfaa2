import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, adminOk, chat, createOrg } from "./helpers";

const ask = { model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content: "hi" }] };

async function drain(rs: Response[]) {
  await Promise.all(rs.map((r) => r.arrayBuffer()));
}

async function setWorkloadLimits(workload: string, limits: unknown) {
  const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${workload}`);
  const { id: _id, updated_at: _u, ...spec } = wl;
  await adminOk("PUT", `/workloads/${workload}`, { ...spec, limits });
}

describe("rate and token limits", () => {
  it("team rpm is exact under parallel load, with OpenAI's headers", async () => {
    const org = await createOrg({ rpm: 10 });
    const results = await Promise.all(Array.from({ length: 60 }, () => chat(org.apiKey, ask)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok.length).toBe(10);
    expect(refused.length).toBe(50);
    const first = refused[0];
    expect((await first.clone().json<{ error: { code: string; type: string } }>()).error).toMatchObject({ code: "rate_limit_exceeded", type: "rate_limit_error" });
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("10");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(first.headers.get("x-ratelimit-limit-tokens")).not.toBeNull();
    expect(first.headers.get("x-ratelimit-remaining-tokens")).not.toBeNull();
    const remaining = ok.map((r) => Number(r.headers.get("x-ratelimit-remaining-requests"))).sort((a, b) => a - b);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await drain(results);
  }, 60_000);

  it("team tpm counts the worst case (prompt + max_tokens)", async () => {
    // Each request reserves ceil(2/3)+4 = 5 prompt tokens + 100 output tokens = 105. The upstream
    // answers only after every request was decided: a settled request counts its actual tokens
    // (fewer), which would make room for a fourth, depending on timing.
    await adminOk("PUT", "/providers/sim-slow", { type: "simulated", region: "us" });
    await adminOk("PUT", "/providers/sim-slow/faults", { mode: "latency", latency_ms: 1500 });
    await adminOk("PUT", "/models/sim-slow-chat", { targets: [{ provider: "sim-slow", model: "x" }], data_classes: ["public"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
    const org = await createOrg({ tpm: 350, models: ["sim-slow-chat"] });
    const results = await Promise.all(Array.from({ length: 10 }, () => chat(org.apiKey, { ...ask, model: "sim-slow-chat", max_tokens: 100 })));
    expect(results.filter((r) => r.status === 200).length).toBe(3);
    const refused = results.find((r) => r.status === 429)!;
    expect((await refused.clone().json<{ error: { code: string } }>()).error.code).toBe("tokens_rate_limit_exceeded");
    expect(refused.headers.get("x-ratelimit-limit-tokens")).toBe("350");
    await drain(results);
  }, 60_000);

  it("a request bigger than the whole tpm is refused, not queued forever", async () => {
    const org = await createOrg({ tpm: 50 });
    const res = await chat(org.apiKey, { ...ask, max_tokens: 1000 });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    await res.arrayBuffer();
  });

  it("workload rpm and per-key rpm apply beside the team's", async () => {
    const org = await createOrg({ rpm: 1000 });
    await setWorkloadLimits(org.workload, { rpm: 5, per_key: { rpm: 3 } });
    const second = await adminOk<{ api_key: string }>("POST", "/keys", { workload: org.workload });
    const a = await Promise.all(Array.from({ length: 8 }, () => chat(org.apiKey, ask)));
    expect(a.filter((r) => r.status === 200).length).toBe(3);
    const b = await Promise.all(Array.from({ length: 8 }, () => chat(second.api_key, ask)));
    // The workload allows 5 in total: 3 went to the first key, 2 remain for the second.
    expect(b.filter((r) => r.status === 200).length).toBe(2);
    const msg = (await b.find((r) => r.status === 429)!.clone().json<{ error: { message: string } }>()).error.message;
    expect(msg).toContain(`workload:${org.workload}`);
    await drain([...a, ...b]);
  }, 60_000);

  it("embeddings count against the same limits", async () => {
    const org = await createOrg({ rpm: 2 });
    const post = () => SELF.fetch(`${BASE}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}` }, body: JSON.stringify({ model: "sim-embed", input: "x" }) });
    const rs = await Promise.all([post(), post(), post()]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    await drain(rs);
  }, 30_000);

  it("bad limit config is a 400 problem", async () => {
    const org = await createOrg();
    const wl = await adminOk<Record<string, unknown>>("GET", `/workloads/${org.workload}`);
    const { id: _id, updated_at: _u, ...spec } = wl;
    const { admin } = await import("./helpers");
    expect((await admin("PUT", `/workloads/${org.workload}`, { ...spec, limits: { rpm: -1 } })).status).toBe(400);
    expect((await admin("PUT", `/teams/${org.team}`, { monthly_budget_usd: 1, rpm: 1, tpm: 1, residency: "us", budget_period: "hourly" })).status).toBe(400);
  });
});
