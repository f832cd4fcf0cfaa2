/**
 * The Stage 3 assessment and the knowledge search across regions: zone records (incidents with
 * their runbook steps, compliance reports) that exist only in the eu zone's store are seen
 * through the us edge, flagged with their region and linked with `?region=eu`; a region that
 * does not answer makes the answer partial and the affected criteria say so; the quarterly
 * snapshot's caller-less read asks the other regions as the system over a signed forward.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/admin/auth";
import { gatherFacts } from "../../src/maturity/gather-facts";
import { signForward } from "../../src/routing/forward-signature";
import { adminToken, BASE } from "./helpers";
import { US_EDGES, viaEdge, zoneDb, type Zone } from "./regions-helpers";

interface Regions { answered: string[]; failed: Array<{ region: string; status: number | null; reason: string }>; partial: boolean }
interface Criterion { id: string; status: string; evidence: Array<{ label: string; href: string }>; missing: string[] }
interface Assessment { layers: Array<{ criteria: Criterion[] }>; regions: Regions }
interface Search { results: Array<{ kind: string; id: string; href: string; region?: string }>; regions: Regions }

const BROKEN_EDGES = JSON.stringify({ eu: "service:EDGE_EU", apac: "service:EDGE_NOWHERE" });

async function read(zone: Zone, path: string, edges = US_EDGES, principal?: Principal): Promise<Response> {
  return viaEdge(zone, `/admin/v1${path}`, { headers: { authorization: `Bearer ${await adminToken(principal)}` } }, edges);
}

const criterion = (a: Assessment, id: string): Criterion => a.layers.flatMap((l) => l.criteria).find((c) => c.id === id)!;

/** A drill incident (with an automated remediation step) and two cron compliance reports, only in the eu store. */
async function seedEu(): Promise<{ incident: string; word: string; reports: string[] }> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const incident = `inc-eu-${tag}`;
  const word = `okapi${tag}`;
  const ts = new Date(Date.now() + 60_000).toISOString(); // newest of all, so it leads the evidence
  const db = zoneDb.eu;
  await db.prepare(`INSERT INTO incidents (id, kind, fingerprint, title, severity, status, drill, team, subject, started_at, detected_at, resolved_at, diagnosis, updated_at)
    VALUES (?, 'provider_outage', ?, ?, 'critical', 'resolved', 1, NULL, 'sim-eu', ?, ?, ?, '{"cause":"drill"}', ?)`)
    .bind(incident, `drill:${tag}`, `Drill: ${word} provider outage in eu`, ts, ts, ts, ts).run();
  await db.prepare("INSERT INTO incident_steps (incident_id, ts, step, outcome, inputs, detail) VALUES (?, ?, 'remediate', 'ok', NULL, '{\"action\":\"rerouted\"}')").bind(incident, ts).run();
  const reports: string[] = [];
  for (const period of ["2099-11", "2099-12"]) {
    const id = `rep_eu_${tag}_${period}`;
    reports.push(id);
    await db.prepare(`INSERT INTO reports (id, kind, period, trigger, created_at, sha256, data_key, mime_key, recipients, delivered_to, status, attempts)
      VALUES (?, 'compliance', ?, 'cron', ?, 'x', ?, 'm', '[]', '[]', 'sent', 1)`).bind(id, period, ts, `reports/${id}.json`).run();
    await env.BLOBS_EU.put(`reports/${id}.json`, JSON.stringify({ period }));
  }
  return { incident, word, reports };
}

describe("Stage 3 assessment and knowledge search across regions", () => {
  it("the us edge's assessment sees a drill incident and reports that exist only in the eu store, linked to eu", async () => {
    const eu = await seedEu();
    const res = await read("us", "/maturity");
    expect(res.status).toBe(200);
    const a = await res.json<Assessment>();
    expect(a.regions).toEqual({ answered: ["us", "eu", "apac"], failed: [], partial: false });
    const runbook = criterion(a, "l3.runbook-triggered");
    expect(runbook.status).toBe("met");
    expect(runbook.evidence[0].href).toBe(`/admin/v1/incidents/${eu.incident}?region=eu`);
    const reports = criterion(a, "l1.compliance-reports-distributed");
    expect(reports.status).toBe("met");
    expect(reports.evidence.map((e) => e.href).sort()).toEqual(eu.reports.map((id) => `/admin/v1/reports/${id}?region=eu`).sort());
    // The links open the records from the us edge.
    for (const href of [runbook.evidence[0].href, reports.evidence[0].href]) {
      const open = await viaEdge("us", href, { headers: { authorization: `Bearer ${await adminToken()}` } });
      expect(open.status, href).toBe(200);
      await open.arrayBuffer();
    }
    // Without fan-out (one region asked) the us zone alone does not have them.
    const usOnly = await (await read("us", `/maturity/zone-facts?region=us`)).json<{ incidents: Array<{ id: string }>; regions: Regions }>();
    expect(usOnly.regions.answered).toEqual(["us"]);
    expect(usOnly.incidents.map((i) => i.id)).not.toContain(eu.incident);
  });

  it("the knowledge search on the us edge finds the eu incident, flagged and linked to eu, ranked with the rest", async () => {
    const eu = await seedEu();
    const res = await read("us", `/knowledge?q=${eu.word}`);
    expect(res.status).toBe(200);
    const body = await res.json<Search>();
    expect(body.regions).toEqual({ answered: ["us", "eu", "apac"], failed: [], partial: false });
    expect(body.results).toEqual([expect.objectContaining({ kind: "incident", id: eu.incident, region: "eu", href: `/admin/v1/incidents/${eu.incident}?region=eu` })]);
    // A team owner is refused before anything fans out.
    expect((await read("us", `/knowledge?q=${eu.word}`, US_EDGES, { sub: "o", role: "team-owner", team: "t1" })).status).toBe(403);
  });

  it("an unreachable region yields a partial answer, and zone criteria say what they could not read", async () => {
    const eu = await seedEu();
    const a = await (await read("us", "/maturity", BROKEN_EDGES)).json<Assessment>();
    expect(a.regions).toMatchObject({ answered: ["us", "eu"], partial: true, failed: [{ region: "apac", status: null }] });
    const runbook = criterion(a, "l3.runbook-triggered");
    expect(runbook.evidence[0].href).toBe(`/admin/v1/incidents/${eu.incident}?region=eu`);
    expect(runbook.missing).toEqual([expect.stringMatching(/^Zone records of region apac, which did not answer/)]);
    // A control-plane criterion is not affected.
    expect(criterion(a, "l1.version-controlled-artifacts").missing.join(" ")).not.toMatch(/region apac/);

    const search = await (await read("us", `/knowledge?q=${eu.word}`, BROKEN_EDGES)).json<Search>();
    expect(search.regions).toMatchObject({ answered: ["us", "eu"], partial: true });
    expect(search.results.map((r) => r.region)).toEqual(["eu"]);
  });

  it("the quarterly snapshot's read (no caller) asks the other regions as the system, over a signed forward", async () => {
    const eu = await seedEu();
    const facts = await gatherFacts({ ...env, REGION: "us", REGION_EDGES: US_EDGES }, Date.now());
    expect(facts.zones).toEqual({ answered: ["us", "eu", "apac"], failed: [], partial: false });
    expect(facts.incidents.find((i) => i.id === eu.incident)?.region).toBe("eu");
  });

  it("a caller-less question is answered only when signed, and only by the zone-facts read", async () => {
    const ask = async (path: string, signed: boolean) => {
      const headers: Record<string, string> = { "x-switchyard-forward-origin": BASE };
      if (signed) {
        headers["x-switchyard-forward"] = await signForward(env.FORWARD_SIGNING_KEY!, {
          from: "us", to: "eu", ts: Math.floor(Date.now() / 1000), method: "GET", target: path, authorization: null, body: new Uint8Array(0), origin: BASE,
        });
      }
      return viaEdge("eu", path, { headers });
    };
    const ok = await ask("/admin/v1/maturity/zone-facts", true);
    expect(ok.status).toBe(200);
    const body = await ok.json<{ incidents: unknown[]; regions?: unknown }>();
    expect(Array.isArray(body.incidents)).toBe(true);
    expect(body.regions).toBeUndefined(); // answered from the eu zone only, no second hop
    expect((await ask("/admin/v1/maturity/zone-facts", false)).status).toBe(401);
    // Any other read still needs a token, signed or not.
    for (const path of ["/admin/v1/usage", "/admin/v1/maturity", "/admin/v1/knowledge/incidents"]) {
      const res = await ask(path, true);
      expect(res.status, path).toBe(401);
      await res.arrayBuffer();
    }
  });
});
