/**
 * Developer NPS through the real paths: rounds opened by the admin API and the quarterly cron,
 * answers through POST /v1/feedback with real API keys (DLP on the comment), results, trend and
 * the investigation a 10-point drop opens.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { admin, adminOk, BASE, createOrg } from "./helpers";

const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const all = (n: number) => ({ onboarding: n, key_issuance: n, documentation: n, reliability: n, dashboard: n, support: n });

function feedback(apiKey: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/feedback`, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

interface Results {
  overall: { nps: number | null; responses: number; promoters: number; detractors: number };
  areas: Record<string, { nps: number | null; responses: number }>;
  teams: Record<string, { nps: number | null; response_rate: number | null }>;
  response_rate: number | null;
  trend: Array<{ survey_id: string; overall: number | null }>;
  drops: Array<{ scope: string; drop_points: number }>;
  investigations: Array<{ id: string; scope: string; drop_points: number; closed_at: string | null }>;
}

describe("developer NPS", () => {
  it("records one answer per key per round, runs the comment through DLP, and computes NPS, rates, trend and drops", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const a2 = await adminOk<{ api_key: string }>("POST", "/keys", { workload: a.workload });
    const round1 = await adminOk<{ id: string; open: boolean; eligible_keys: number }>("POST", "/surveys", { title: "Q1" });
    expect(round1.open).toBe(true);

    // Team a: 10 and 6; team b: 9. Overall 2 promoters, 1 detractor of 3.
    const r1 = await feedback(a.apiKey, { survey_id: round1.id, would_recommend: 10, scores: all(9), comment: `great, my card 4111 1111 1111 1111 works` });
    expect(r1.status).toBe(201);
    expect(await r1.json()).toMatchObject({ recorded: true, comment_stored: true });
    expect((await feedback(a2.api_key, { survey_id: round1.id, would_recommend: 6, scores: { ...all(7), support: 2 } })).status).toBe(201);
    expect((await feedback(b.apiKey, { survey_id: round1.id, would_recommend: 9, scores: { onboarding: 10 } })).status).toBe(201);
    const stored = await env.DB.prepare("SELECT comment FROM survey_responses WHERE survey_id = ? AND key_id = ?").bind(round1.id, a.keyId).first<{ comment: string }>();
    expect(stored!.comment).not.toContain("4111");
    expect(stored!.comment).toContain("[CREDIT_CARD]");

    // A second answer from the same key is refused and not counted.
    const again = await feedback(a.apiKey, { survey_id: round1.id, would_recommend: 0, scores: all(0) });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_responded");

    const res1 = await adminOk<Results>("GET", `/surveys/${round1.id}/results`);
    expect(res1.overall).toMatchObject({ nps: 33.3, responses: 3, promoters: 2, detractors: 1 });
    expect(res1.areas.onboarding).toMatchObject({ nps: 66.7, responses: 3 });
    expect(res1.areas.support).toMatchObject({ nps: 0, responses: 2 });
    expect(res1.areas.reliability).toMatchObject({ nps: 50, responses: 2 });
    expect(res1.teams[a.team]).toMatchObject({ nps: 0, response_rate: 1 });
    expect(res1.teams[b.team]).toMatchObject({ nps: 100, response_rate: 1 });
    expect(res1.response_rate).toBe(Math.round((3 * 1000) / round1.eligible_keys) / 1000);

    // Next round: everyone is less happy. Overall 33.3 → −33.3: an investigation opens.
    const round2 = await adminOk<{ id: string }>("POST", "/surveys", {});
    await feedback(a.apiKey, { survey_id: round2.id, would_recommend: 9, scores: all(9) });
    await feedback(a2.api_key, { survey_id: round2.id, would_recommend: 3, scores: all(3) });
    await feedback(b.apiKey, { survey_id: round2.id, would_recommend: 5, scores: all(5) });
    const res2 = await adminOk<Results>("GET", `/surveys/${round2.id}/results`);
    expect(res2.overall.nps).toBe(-33.3);
    expect(res2.trend.slice(-2)).toEqual([expect.objectContaining({ survey_id: round1.id, overall: 33.3 }), expect.objectContaining({ survey_id: round2.id, overall: -33.3 })]);
    expect(res2.drops).toContainEqual(expect.objectContaining({ scope: "overall", drop_points: 66.6 }));
    const inv = res2.investigations.find((i) => i.scope === "overall")!;
    expect(inv).toMatchObject({ closed_at: null, drop_points: 67 });
    // Reading the results again does not open a second one.
    const res2b = await adminOk<Results>("GET", `/surveys/${round2.id}/results`);
    expect(res2b.investigations.filter((i) => i.scope === "overall")).toHaveLength(1);
    expect((await admin("POST", `/surveys/investigations/${inv.id}/close`, { note: "" })).status).toBe(400);
    const closed = await adminOk<{ closed_at: string; note: string }>("POST", `/surveys/investigations/${inv.id}/close`, { note: "Docs migration broke links; fixed." });
    expect(closed.note).toContain("Docs migration");
    expect((await admin("POST", `/surveys/investigations/${inv.id}/close`, { note: "again" })).status).toBe(409);
  });

  it("refuses bad feedback with the OpenAI envelope", async () => {
    const org = await createOrg();
    const round = await adminOk<{ id: string }>("POST", "/surveys", {});
    const blocked = await feedback(org.apiKey, { survey_id: round.id, would_recommend: 8, scores: {}, comment: `use ${SECRET}` });
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).not.toContain(SECRET);
    // A blocked comment records nothing, so the key can still answer properly.
    expect((await feedback(org.apiKey, { survey_id: round.id, would_recommend: 8, scores: {} })).status).toBe(201);
    expect((await feedback(org.apiKey, { survey_id: round.id, would_recommend: 11, scores: {} })).status).toBe(400);
    expect((await feedback(org.apiKey, { survey_id: round.id, would_recommend: 5, scores: { vibes: 3 } })).status).toBe(400);
    expect((await feedback(org.apiKey, { survey_id: "svy_nope", would_recommend: 5, scores: {} })).status).toBe(404);
    const noAuth = await SELF.fetch(`${BASE}/v1/feedback`, { method: "POST", body: "{}" });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    const closedRound = await adminOk<{ id: string }>("POST", "/surveys", { closes_in_days: 1 });
    await env.DB.prepare("UPDATE surveys SET closes_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), closedRound.id).run();
    expect((await feedback(org.apiKey, { survey_id: closedRound.id, would_recommend: 5, scores: {} })).status).toBe(409);
    expect((await admin("GET", "/surveys/svy_nope/results")).status).toBe(404);
    expect((await admin("POST", "/surveys", { closes_in_days: 0 })).status).toBe(400);
  });

  it("opens a round on the quarterly cron slot", async () => {
    expect(cronSchedule["0 7 1 1,4,7,10 *"]).toContain("nps-survey-round");
    await cronJobs["nps-survey-round"](env, Date.UTC(2026, 3, 1, 7));
    const { data } = await adminOk<{ data: Array<{ title: string; trigger: string }> }>("GET", "/surveys");
    expect(data).toContainEqual(expect.objectContaining({ title: "Developer survey 2026-Q2", trigger: "cron:quarterly" }));
  });
});
