/**
 * The demo organisation's golden datasets (scripts/lib/demo-datasets.mjs): every production
 * workload has at least 100 valid examples covering all its declared input categories, the
 * generator is deterministic, and they publish through the admin API.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
// Plain JavaScript shared with `npm start` (no type declarations).
// @ts-expect-error -- untyped .mjs module
import { demoDatasets, publishDemoDatasets } from "../../scripts/lib/demo-datasets.mjs";
// @ts-expect-error -- untyped .mjs module
import { DEMO_MODELS, DEMO_PROVIDERS, DEMO_TEAMS, DEMO_WORKLOADS } from "../../scripts/lib/demo-org.mjs";
import { coverage, parseExamples } from "../../src/workloads/datasets";
import { BASE, adminOk, adminToken } from "./helpers";

type Demo = Record<string, { input_categories: string[]; examples: unknown[] }>;
const workloads = DEMO_WORKLOADS as Record<string, { lifecycle: string; input_categories?: string[]; owner?: string }>;

describe("demo golden datasets", () => {
  it("cover every production workload with ≥ 100 valid examples and full coverage, deterministically", async () => {
    const ds = demoDatasets() as Demo;
    const production = Object.entries(workloads).filter(([, w]) => w.lifecycle === "production").map(([id]) => id);
    expect(Object.keys(ds).sort()).toEqual(production.sort());
    for (const id of production) {
      const examples = await parseExamples(JSON.stringify(ds[id].examples));
      expect(examples.length).toBeGreaterThanOrEqual(100);
      expect(coverage(examples, workloads[id].input_categories, 5).coverage).toBe(1);
      expect(workloads[id].owner).toBeTruthy();
    }
    expect(JSON.stringify(demoDatasets())).toBe(JSON.stringify(ds));
  });

  it("publish through the admin API once (a second call publishes nothing)", async () => {
    for (const [id, p] of Object.entries(DEMO_PROVIDERS as Record<string, unknown>)) await adminOk("PUT", `/providers/${id}`, p);
    for (const [id, m] of Object.entries(DEMO_MODELS as Record<string, unknown>)) await adminOk("PUT", `/models/${id}`, m);
    for (const [id, t] of Object.entries(DEMO_TEAMS as Record<string, unknown>)) await adminOk("PUT", `/teams/${id}`, t);
    for (const [id, w] of Object.entries(workloads)) await adminOk("PUT", `/workloads/${id}`, w);
    const fetchViaSelf = (url: string, init?: RequestInit) => SELF.fetch(url, init);
    const original = globalThis.fetch;
    globalThis.fetch = fetchViaSelf as typeof fetch;
    try {
      const token = await adminToken();
      expect(await publishDemoDatasets(BASE, token)).toBe(6);
      expect(await publishDemoDatasets(BASE, token)).toBe(0);
    } finally {
      globalThis.fetch = original;
    }
    const list = await adminOk<{ data: Array<{ version: number; examples: number; coverage: number }> }>("GET", "/workloads/support-bot/datasets");
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ version: 1, examples: 104, coverage: 1 });
  });
});
