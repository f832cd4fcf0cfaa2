import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app";
import { VECTORIZE_METADATA_INDEXES } from "../../src/cache/semantic";
import { LocalVectorize } from "../../src/cache/vectorize-local";
import { BASE, admin, adminOk, chat, createOrg, eventually, type TestOrg } from "./helpers";

const q = (content: string, extra: Record<string, unknown> = {}) => ({ model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content }], ...extra });
const semantic = (extra: Record<string, unknown> = {}) => ({ mode: "semantic" as const, similarity: 0.9, embedding_model: "sim-embed", ...extra });
const FRANCE = "What is the capital city of France?";
const FRANCE_AGAIN = "what is the capital city of france";

async function cacheStatus(apiKey: string, body: unknown): Promise<string | null> {
  const r = await chat(apiKey, body);
  expect(r.status).toBe(200);
  await r.arrayBuffer();
  return r.headers.get("x-switchyard-cache");
}

/** Stores FRANCE for this key and waits until its paraphrase hits (stores run in waitUntil). */
async function establish(apiKey: string, extra: Record<string, unknown> = {}): Promise<void> {
  expect(await cacheStatus(apiKey, q(FRANCE, extra))).toBe("miss");
  await eventually(async () => (await cacheStatus(apiKey, q(FRANCE_AGAIN, extra))) === "hit");
}

type UsageRow = { model: string; cost_nusd: number; status: number; error_code: string | null; purpose: string | null };
function usageOf(team: string): Promise<UsageRow[]> {
  return env.DB.prepare("SELECT model, cost_nusd, status, error_code, json_extract(detail, '$.purpose') AS purpose FROM usage_events WHERE team = ?")
    .bind(team).all<UsageRow>().then((r) => r.results);
}

describe("semantic cache", () => {
  it("entries are the workload's: another team never gets them, a sibling workload only by team opt-in", async () => {
    const a = await createOrg({ cache: semantic() });
    const b = await createOrg({ cache: semantic() });
    await establish(a.apiKey);
    expect(await cacheStatus(b.apiKey, q(FRANCE_AGAIN))).toBe("miss");
    // Two workloads of one team with "scope":"team" share; the default-scoped one does not.
    const wl = (n: number) => `${a.workload}-t${n}`;
    const keys: string[] = [];
    for (const [n, scope] of [[1, "team"], [2, "team"], [3, "workload"]] as const) {
      await adminOk("PUT", `/workloads/${wl(n)}`, { team: a.team, default_data_class: "public", allowed_models: ["sim-chat", "sim-embed"], lifecycle: "production", cache: semantic({ scope }) });
      keys.push((await adminOk<{ api_key: string }>("POST", "/keys", { workload: wl(n) })).api_key);
    }
    expect(await cacheStatus(keys[0], q(`${FRANCE} (team)`))).toBe("miss");
    await eventually(async () => (await cacheStatus(keys[1], q(`${FRANCE_AGAIN} (team)`))) === "hit");
    expect(await cacheStatus(keys[2], q(`${FRANCE_AGAIN} (team)`))).toBe("miss");
  }, 60_000);

  it("a hit needs the same model, generation parameters and tool set", async () => {
    await adminOk("PUT", "/models/sim-chat-b", { targets: [{ provider: "sim-us", model: "sim-1" }], data_classes: ["public", "internal"], price: { input_per_mtok: 1, output_per_mtok: 2 } });
    const org = await createOrg({ models: ["sim-chat", "sim-chat-b", "sim-embed"], cache: semantic() });
    await establish(org.apiKey);
    const tool = { type: "function", function: { name: "lookup", description: "look a city up", parameters: { type: "object", properties: {} } } };
    for (const extra of [
      { model: "sim-chat-b" },
      { temperature: 0.3 },
      { top_p: 0.5 },
      { max_tokens: 11 },
      { response_format: { type: "json_object" } },
      { tools: [tool] },
    ]) {
      expect(await cacheStatus(org.apiKey, q(FRANCE_AGAIN, extra)), JSON.stringify(extra)).toBe("miss");
    }
  }, 60_000);

  it("embeds through the catalog model: the call is charged to the team; exact mode makes none", async () => {
    const org = await createOrg({ cache: semantic() });
    await establish(org.apiKey);
    const rows = await eventually(async () => {
      const r = await usageOf(org.team);
      return r.filter((x) => x.model === "sim-chat").length >= 2 ? r : undefined;
    });
    const embeds = rows.filter((r) => r.purpose === "semantic_cache");
    expect(embeds.length).toBeGreaterThanOrEqual(2);
    for (const e of embeds) expect(e).toMatchObject({ model: "sim-embed", status: 200 });
    expect(embeds.every((e) => e.cost_nusd > 0)).toBe(true);
    const total = rows.reduce((s, r) => s + r.cost_nusd, 0);
    const budget = await eventually(async () => {
      const v = await adminOk<{ spent_usd: number; reserved_usd: number }>("GET", `/teams/${org.team}/budget`);
      return v.reserved_usd === 0 && Math.round(v.spent_usd * 1e9) === total ? v : undefined;
    });
    expect(Math.round(budget.spent_usd * 1e9)).toBe(total);

    const exact = await createOrg({ cache: { mode: "exact" } });
    expect(await cacheStatus(exact.apiKey, q(FRANCE))).toBe("miss");
    await eventually(async () => (await cacheStatus(exact.apiKey, q(FRANCE))) === "hit");
    const exactRows = await eventually(async () => {
      const r = await usageOf(exact.team);
      return r.length >= 2 ? r : undefined;
    });
    expect(exactRows.filter((r) => r.purpose === "semantic_cache" || r.model === "sim-embed")).toEqual([]);
  }, 60_000);

  it("a failing or hanging embeddings provider degrades to a miss, never an error", async () => {
    for (const mode of ["errors", "outage"] as const) {
      const provider = `sim-embed-${mode}`;
      await adminOk("PUT", `/providers/${provider}`, { type: "simulated", region: "us" });
      await adminOk("PUT", `/providers/${provider}/faults`, { mode });
      await adminOk("PUT", `/models/embed-${mode}`, { kind: "embeddings", targets: [{ provider, model: "e" }], data_classes: ["public"], price: { input_per_mtok: 0.1, output_per_mtok: 0 } });
      const org = await createOrg({ cache: semantic({ embedding_model: `embed-${mode}` }) });
      // Distinct prompts: a repeat would be an exact hit, which needs no embedding.
      for (const prompt of [FRANCE, FRANCE_AGAIN]) {
        const r = await chat(org.apiKey, q(prompt));
        expect(r.status).toBe(200);
        expect(r.headers.get("x-switchyard-cache")).toBe("miss");
        expect((await r.json<{ choices: unknown[] }>()).choices).toHaveLength(1);
      }
      const failed = await eventually(async () => (await usageOf(org.team)).find((x) => x.purpose === "semantic_cache"));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(failed.cost_nusd).toBe(0);
    }
  }, 60_000);

  it("the admin API refuses a semantic cache without a usable embeddings model (problem document)", async () => {
    const org = await createOrg();
    const put = (cache: Record<string, unknown>) => admin("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", cache });
    for (const cache of [{ mode: "semantic" }, { mode: "semantic", embedding_model: "sim-chat" }, { mode: "semantic", embedding_model: "no-such-model" }]) {
      const r = await put(cache);
      expect(r.status, JSON.stringify(cache)).toBe(422);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(await r.json()).toMatchObject({ title: "Invalid Cache Policy", errors: [{ path: "cache.embedding_model" }] });
    }
    const restrictedOnly = await admin("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "restricted", allowed_models: ["sim-chat"], lifecycle: "production", cache: semantic() });
    expect(restrictedOnly.status).toBe(200);
    const internalWorkload = await admin("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "internal", allowed_models: ["sim-chat"], lifecycle: "production", cache: semantic({ embedding_model: "embed-errors" }) });
    expect(internalWorkload.status).toBe(422);
    expect((await put(semantic())).status).toBe(200);
    expect((await put({ mode: "exact" })).status).toBe(200);
  }, 60_000);
});

describe("semantic cache on Vectorize (local stand-in enforcing Vectorize's filter rules)", () => {
  /** The real app with a Vectorize binding; waits for the stores the request scheduled. */
  async function viaVectorize(vectorize: LocalVectorize, org: TestOrg, content: string): Promise<string | null> {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" }, body: JSON.stringify(q(content)) }),
      { ...env, SEMANTIC_CACHE: vectorize },
      ctx,
    );
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return res.headers.get("x-switchyard-cache");
  }

  it("with the metadata indexes the deploy script creates: hits within the workload, never across teams", async () => {
    const vectorize = new LocalVectorize({ dimensions: 64, metadataIndexes: VECTORIZE_METADATA_INDEXES });
    const a = await createOrg({ cache: semantic() });
    const b = await createOrg({ cache: semantic() });
    expect(await viaVectorize(vectorize, a, `${FRANCE} v`)).toBe("miss");
    expect(vectorize.size).toBe(1);
    expect(await viaVectorize(vectorize, a, `${FRANCE_AGAIN} v`)).toBe("hit");
    expect(await viaVectorize(vectorize, b, `${FRANCE_AGAIN} v`)).toBe("miss");
    expect(vectorize.size).toBe(2);
    expect(await viaVectorize(vectorize, a, "Explain how photosynthesis works in plants")).toBe("miss");
  }, 60_000);

  it("without them the filter matches nothing (what the old path silently did): always a miss", async () => {
    const vectorize = new LocalVectorize({ dimensions: 64 });
    const a = await createOrg({ cache: semantic() });
    expect(await viaVectorize(vectorize, a, `${FRANCE} n`)).toBe("miss");
    expect(vectorize.size).toBe(1);
    expect(await viaVectorize(vectorize, a, `${FRANCE_AGAIN} n`)).toBe("miss");
  }, 60_000);
});
