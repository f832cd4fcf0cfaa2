/**
 * Admin reads that span regions: usage, request logs (and their bodies) and reports are gathered
 * from every zone's own store by the edge that receives the read, the caller's role is checked in
 * each zone, and a region that does not answer makes the answer partial — flagged, never silent.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/admin/auth";
import { signForward } from "../../src/routing/forward-signature";
import { adminToken, BASE, createOrg, eventually } from "./helpers";
import { US_EDGES, viaEdge, type Zone } from "./regions-helpers";

interface Regions { answered: string[]; failed: Array<{ region: string; status: number | null; reason: string }>; partial: boolean }
interface UsageAnswer { data: Array<Record<string, unknown> & { team: string; region: string; requests: number }>; totals: { requests: number }; regions: Regions }
interface LogsAnswer { data: Array<{ request_id: string; team: string; region: string }>; regions: Regions }

async function read(zone: Zone, path: string, principal?: Principal, extra: Record<string, string> = {}, edges?: string): Promise<Response> {
  return viaEdge(zone, `/admin/v1${path}`, { headers: { authorization: `Bearer ${await adminToken(principal)}`, ...extra } }, edges);
}

/** An EU team with one public chat served by the eu edge; returns its request id. */
async function euUsage(): Promise<{ team: string; requestId: string }> {
  const org = await createOrg({ residency: "eu" });
  const requestId = `fan-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const res = await eventually(async () => {
    const r = await viaEdge("eu", "/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ model: "sim-chat", messages: [{ role: "user", content: "hello eu" }] }),
    });
    return r.status === 200 ? r : (await r.text(), undefined);
  });
  expect(res.headers.get("x-switchyard-region")).toBe("eu");
  await res.arrayBuffer();
  return { team: org.team, requestId: res.headers.get("x-request-id")! };
}

describe("admin reads across regions", () => {
  it("usage, logs and a log body of an EU team are visible through the us edge, flagged with their region", async () => {
    const { team, requestId } = await euUsage();
    const usage = await eventually(async () => {
      const r = await read("us", `/usage?team=${team}&group_by=team,model`);
      const body = await r.json<UsageAnswer>();
      return r.status === 200 && body.data.length ? body : undefined;
    });
    expect(usage.data).toEqual([expect.objectContaining({ team, region: "eu", requests: 1 })]);
    expect(usage.totals.requests).toBe(1);
    expect(usage.regions).toEqual({ answered: ["us", "eu", "apac"], failed: [], partial: false });

    // One region only: the us store has nothing of this team.
    const usOnly = await (await read("us", `/usage?team=${team}&region=us`)).json<UsageAnswer>();
    expect(usOnly.data).toEqual([]);
    expect(usOnly.regions.answered).toEqual(["us"]);
    expect((await read("us", `/usage?region=mars`)).status).toBe(400);

    const logs = await eventually(async () => {
      const body = await (await read("us", `/logs?team=${team}`)).json<LogsAnswer>();
      return body.data.length ? body : undefined;
    });
    expect(logs.data.map((l) => [l.request_id, l.region])).toEqual([[requestId, "eu"]]);
    const bodyRead = await eventually(async () => {
      const r = await read("us", `/logs/${requestId}/body`, { sub: "auditor-1", role: "auditor" });
      return r.status === 200 ? r : (await r.text(), undefined);
    });
    expect(bodyRead.headers.get("x-switchyard-regions")).toBe("us,eu,apac");
    expect(await bodyRead.json()).toMatchObject({ request_id: requestId, team, region: "eu" });
  });

  it("a team owner of team A cannot read team B through the fan-out", async () => {
    const { team: teamB, requestId } = await euUsage();
    const teamA = (await createOrg({ residency: "us" })).team;
    const ownerA: Principal = { sub: "owner-a", role: "team-owner", team: teamA };
    // Wait until B's usage and log are in the eu store, so a leak would show.
    await eventually(async () => ((await (await read("us", `/logs?team=${teamB}`)).json<LogsAnswer>()).data.length ? true : undefined));

    const usage = await (await read("us", `/usage?team=${teamB}`, ownerA)).json<UsageAnswer>();
    expect(usage.data.filter((r) => r.team === teamB)).toEqual([]);
    const logs = await (await read("us", `/logs?team=${teamB}`, ownerA)).json<LogsAnswer>();
    expect(logs.data.filter((r) => r.team === teamB)).toEqual([]);
    // The body sits in eu: the eu edge checks the owner's team there and refuses; so does the whole read.
    const body = await read("us", `/logs/${requestId}/body`, ownerA);
    expect(body.status).toBe(403);
    expect((await body.json<{ detail: string }>()).detail).toMatch(/^eu: /);
    // Reports are for finance and auditors: a team owner is refused before anything fans out.
    expect((await read("us", "/reports", ownerA)).status).toBe(403);
  });

  it("an unreachable region yields a partial answer, marked as such", async () => {
    const { team } = await euUsage();
    const broken = JSON.stringify({ eu: "service:EDGE_EU", apac: "service:EDGE_NOWHERE" });
    const res = await eventually(async () => {
      const r = await read("us", `/usage?team=${team}`, undefined, {}, broken);
      const body = await r.json<UsageAnswer>();
      return body.data.length ? { r, body } : undefined;
    });
    expect(res.r.status).toBe(200);
    expect(res.r.headers.get("x-switchyard-partial")).toBe("true");
    expect(res.r.headers.get("x-switchyard-regions-failed")).toBe("apac");
    expect(res.body.regions).toMatchObject({ answered: ["us", "eu"], partial: true, failed: [{ region: "apac", status: null }] });
    expect(res.body.data).toEqual([expect.objectContaining({ team, region: "eu" })]);
    // The report list keeps its array shape; the regions are in the headers.
    const reports = await read("us", "/reports", undefined, {}, broken);
    expect(Array.isArray(await reports.json())).toBe(true);
    expect(reports.headers.get("x-switchyard-partial")).toBe("true");
  });

  it("a signed question is answered from the receiving zone only; a forged one fans out as usual", async () => {
    const { team } = await euUsage();
    const path = `/admin/v1/usage?team=${team}`;
    const authorization = `Bearer ${await adminToken()}`;
    await eventually(async () => ((await (await read("us", `/usage?team=${team}`)).json<UsageAnswer>()).data.length ? true : undefined));
    const signed = await signForward(env.FORWARD_SIGNING_KEY!, {
      from: "eu", to: "us", ts: Math.floor(Date.now() / 1000), method: "GET", target: path, authorization, body: new Uint8Array(0), origin: BASE,
    });
    const local = await viaEdge("us", path, { headers: { authorization, "x-switchyard-forward": signed, "x-switchyard-forward-origin": BASE } });
    const localBody = await local.json<{ data: unknown[]; regions?: unknown }>();
    expect(localBody.regions).toBeUndefined(); // the us zone's own answer, no second hop
    expect(localBody.data).toEqual([]);
    const forged = await viaEdge("us", path, { headers: { authorization, "x-switchyard-forward": `v1.eu.us.${Math.floor(Date.now() / 1000)}.${"A".repeat(43)}` } }, US_EDGES);
    const forgedBody = await forged.json<UsageAnswer>();
    expect(forgedBody.regions.answered).toEqual(["us", "eu", "apac"]);
    expect(forgedBody.data).toEqual([expect.objectContaining({ team, region: "eu" })]);
  });
});
