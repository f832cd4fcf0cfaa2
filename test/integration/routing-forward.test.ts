import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app";
import { forwardDecision, parseEdges } from "../../src/routing/forward";
import { BASE, createOrg, eventually } from "./helpers";
import { usageRows } from "./routing-helpers";

/** The real app, with REGION_EDGES routing eu to the second local instance (service binding EDGE_EU). */
async function viaUsEdge(apiKey: string, init: { body?: unknown; headers?: Record<string, string>; path?: string } = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${BASE}${init.path ?? "/v1/chat/completions"}`, {
      method: init.body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...(init.headers ?? {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    { ...env, REGION: "us", REGION_EDGES: JSON.stringify({ eu: "service:EDGE_EU" }) },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const body = { model: "sim-chat", messages: [{ role: "user", content: "where am I served?" }] };

describe("residency forwarding between two local edges", () => {
  it("forwards an eu team's request from the us edge to the eu edge, marked and answered there", async () => {
    const org = await createOrg({ residency: "eu", dataClass: "restricted" });
    const id = `fwd-${org.team}`;
    // The eu instance checks its bundle version in the background: poll until it knows the new key.
    const res = await eventually(async () => {
      const r = await viaUsEdge(org.apiKey, { body, headers: { "x-request-id": `${id}-${Math.random().toString(36).slice(2, 6)}` } });
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    expect(res.headers.get("x-switchyard-forwarded-to")).toBe("eu");
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    // Restricted data: only the in-zone provider.
    expect(res.headers.get("x-switchyard-provider")).toBe("sim-eu");
    const rid = res.headers.get("x-request-id")!;
    const [row] = await usageRows([rid]);
    expect(row.region).toBe("eu");
  });

  it("serves home-zone teams locally and never forwards a forwarded request again", async () => {
    const us = await createOrg({ residency: "us" });
    const local = await viaUsEdge(us.apiKey, { body });
    expect(local.status).toBe(200);
    expect(local.headers.get("x-switchyard-forwarded-to")).toBeNull();
    expect(local.headers.get("x-switchyard-region")).toBe("us");
    const eu = await createOrg({ residency: "eu" });
    const looped = await viaUsEdge(eu.apiKey, { body, headers: { "x-switchyard-forwarded-from": "apac" } });
    expect(looped.status).toBe(200);
    expect(looped.headers.get("x-switchyard-forwarded-to")).toBeNull();
    expect(looped.headers.get("x-switchyard-region")).toBe("us");
  });

  it("the eu edge itself serves its own teams without forwarding, and unknown keys still get 401", async () => {
    const eu = await createOrg({ residency: "eu" });
    const direct = await eventually(async () => {
      const r = await env.EDGE_EU.fetch(new Request(`${BASE}/v1/models`, { headers: { authorization: `Bearer ${eu.apiKey}` } }));
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    expect(direct.headers.get("x-switchyard-forwarded-to")).toBeNull();
    const unknown = await viaUsEdge("sk-not-a-key", { body });
    expect(unknown.status).toBe(401);
    const plain = await SELF.fetch(`${BASE}/healthz`);
    expect((await plain.json<{ region: string }>()).region).toBe("us");
  });

  it("answers 503 and does not serve locally when the home edge is unreachable", async () => {
    const eu = await createOrg({ residency: "eu" });
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${eu.apiKey}` }, body: JSON.stringify(body) }),
      { ...env, REGION_EDGES: JSON.stringify({ eu: "service:NO_SUCH_BINDING" }) },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("home_region_unreachable");
  });

  it("decides purely from zone, edges and the loop marker", () => {
    const edges = parseEdges('{"eu":"https://eu.example/","apac":"service:EDGE_APAC"}');
    expect(edges.eu).toBe("https://eu.example");
    expect(forwardDecision({ here: "us", home: "eu", alreadyForwarded: false, edges })).toBe("https://eu.example");
    expect(forwardDecision({ here: "us", home: "eu", alreadyForwarded: true, edges })).toBeUndefined();
    expect(forwardDecision({ here: "eu", home: "eu", alreadyForwarded: false, edges })).toBeUndefined();
    expect(forwardDecision({ here: "us", home: "us", alreadyForwarded: false, edges: parseEdges("not json") })).toBeUndefined();
  });
});
