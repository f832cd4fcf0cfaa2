import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../workers/app";
import { forwardAction, parseEdges } from "../../src/routing/forward";
import { signForward } from "../../src/routing/forward-signature";
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
    expect(res.headers.get("x-switchyard-forwarded-from")).toBe("us");
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    // Restricted data: only the in-zone provider.
    expect(res.headers.get("x-switchyard-provider")).toBe("sim-eu");
    const rid = res.headers.get("x-request-id")!;
    const [row] = await usageRows([rid], env.DB_EU);
    expect(row.region).toBe("eu");
    // The forward is on record in the home zone's usage, not only in a log line.
    expect(row.forwarded_from).toBe("us");
  });

  it("ignores forward headers a client sends: the request is still forwarded to the home edge", async () => {
    const eu = await createOrg({ residency: "eu" });
    const forged = {
      "x-switchyard-forwarded-from": "eu",
      // Well-formed, fresh, addressed to us, but signed with a key the client made up.
      "x-switchyard-forward": await signForward("guessed-key", {
        from: "eu", to: "us", ts: Math.floor(Date.now() / 1000), method: "POST", target: "/v1/chat/completions",
        authorization: `Bearer ${eu.apiKey}`, body: new TextEncoder().encode(JSON.stringify(body)),
      }),
    };
    const res = await eventually(async () => {
      const r = await viaUsEdge(eu.apiKey, { body, headers: forged });
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    expect(res.headers.get("x-switchyard-forwarded-to")).toBe("eu");
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
  });

  it("a forged forward header sent straight to the home edge is stripped, not recorded", async () => {
    const eu = await createOrg({ residency: "eu" });
    const res = await eventually(async () => {
      const r = await env.EDGE_EU.fetch(new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${eu.apiKey}`, "x-switchyard-forwarded-from": "apac", "x-switchyard-forward": "v1.apac.eu.1.forged" },
        body: JSON.stringify(body),
      }));
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    const [row] = await usageRows([res.headers.get("x-request-id")!], env.DB_EU);
    expect(row.region).toBe("eu");
    expect(row.forwarded_from).toBeNull();
  });

  it("refuses a genuine forward that reached an edge that is not the team's home (no second hop)", async () => {
    const eu = await createOrg({ residency: "eu" });
    const text = JSON.stringify(body);
    const header = await signForward(env.FORWARD_SIGNING_KEY!, {
      from: "apac", to: "us", ts: Math.floor(Date.now() / 1000), method: "POST", target: "/v1/chat/completions",
      authorization: `Bearer ${eu.apiKey}`, body: new TextEncoder().encode(text),
    });
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${BASE}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${eu.apiKey}`, "x-switchyard-forward": header }, body: text }),
      { ...env, REGION: "us", REGION_EDGES: JSON.stringify({ eu: "service:EDGE_EU" }) },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("residency_misrouted");
  });

  it("serves home-zone teams locally", async () => {
    const us = await createOrg({ residency: "us" });
    const local = await viaUsEdge(us.apiKey, { body });
    expect(local.status).toBe(200);
    expect(local.headers.get("x-switchyard-forwarded-to")).toBeNull();
    expect(local.headers.get("x-switchyard-region")).toBe("us");
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

  it("decides purely from zone, edges and the verified sender", () => {
    const edges = parseEdges('{"eu":"https://eu.example/","apac":"service:EDGE_APAC"}');
    expect(edges.eu).toBe("https://eu.example");
    expect(forwardAction({ here: "us", home: "eu", edges })).toEqual({ kind: "forward", edge: "https://eu.example" });
    expect(forwardAction({ here: "us", home: "eu", verifiedFrom: "apac", edges })).toEqual({ kind: "refuse" });
    expect(forwardAction({ here: "eu", home: "eu", verifiedFrom: "us", edges })).toEqual({ kind: "serve" });
    expect(forwardAction({ here: "eu", home: "eu", edges })).toEqual({ kind: "serve" });
    expect(forwardAction({ here: "us", home: "eu", edges: parseEdges("not json") })).toEqual({ kind: "serve" });
  });
});
