import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, adminOk, chat, createOrg, eventually } from "./helpers";

const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

interface TrafficAnswer {
  days: number;
  edge_region: string;
  data: Array<{ provider: string; region: string; requests: number; errors: number; p50_ms: number; p95_ms: number; cache_hit_rate: number | null }>;
}

describe("dashboard aggregates (GET /admin/v1/dashboard/*)", () => {
  it("counts a team's served requests per provider and region, with latency percentiles", async () => {
    const org = await createOrg();
    for (let i = 0; i < 3; i++) {
      const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `hello ${i}` }] });
      expect(res.status).toBe(200);
    }
    await eventually(() => env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE team = ?").bind(org.team).first<{ n: number }>().then((r) => (r?.n ?? 0) >= 3));
    const expected = await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE provider = 'sim-us' AND region = 'us' AND ts >= ? AND team != 'switchyard-drills'")
      .bind(new Date(Date.now() - 7 * 86_400_000).toISOString()).first<{ n: number }>();
    const body = await adminOk<TrafficAnswer>("GET", "/dashboard/traffic?days=7");
    expect(body.days).toBe(7);
    const row = body.data.find((r) => r.provider === "sim-us" && r.region === "us");
    expect(row?.requests).toBe(expected?.n);
    expect(row!.requests).toBeGreaterThanOrEqual(3);
    expect(row!.p95_ms).toBeGreaterThanOrEqual(row!.p50_ms);
  });

  it("lets finance read traffic but not DLP; team owners read neither; bad windows are 400", async () => {
    const finance = { sub: "cfo", role: "finance" } as const;
    const owner = { sub: "o", role: "team-owner", team: "x" } as const;
    expect((await admin("GET", "/dashboard/traffic", undefined, finance)).status).toBe(200);
    expect((await admin("GET", "/dashboard/dlp", undefined, finance)).status).toBe(403);
    expect((await admin("GET", "/dashboard/traffic", undefined, owner)).status).toBe(403);
    const bad = await admin("GET", "/dashboard/traffic?days=0");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect((await admin("GET", "/dashboard/dlp?days=abc")).status).toBe(400);
  });

  it("reports a DLP block by type and team without the value", async () => {
    const org = await createOrg();
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: `deploy with key ${SECRET} now` }] });
    expect(res.status).toBe(403);
    const summary = await eventually(async () => {
      const s = await adminOk<{ by_team: Array<{ team: string; requests: number; blocked: number }>; by_type: Array<{ type: string; blocked: number }>; recent: unknown[] }>("GET", "/dashboard/dlp?days=1");
      return s.by_team.some((t) => t.team === org.team) ? s : undefined;
    });
    expect(summary.by_team.find((t) => t.team === org.team)).toEqual({ team: org.team, requests: 1, blocked: 1 });
    expect(summary.by_type.find((t) => t.type === "SECRET")?.blocked).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
  });
});
