/**
 * Production quality sampling end to end: the data plane samples after the answer, the
 * eval-jobs consumer scores and stores the redacted pair (metadata only for restricted), the
 * human review queue grades count in the daily trend, samples become dataset examples in one
 * call, and a sustained drop raises a quality_regression alert through the daily job.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runQualityChecks } from "../../src/workloads/scheduled";
import { admin, adminOk, adminToken, BASE, chat, createOrg, eventually } from "./helpers";
import { runToCompletion } from "./evals-helpers";

const sampling = { rate: 100, review_rate: 100, evaluators: [{ type: "regex", pattern: "\\w+" }] };

async function sampleRow(requestId: string) {
  return eventually(() => env.DB.prepare("SELECT * FROM eval_samples WHERE request_id = ?").bind(requestId).first<Record<string, unknown>>(), 20_000);
}

describe("production quality sampling", { timeout: 60_000 }, () => {
  it("samples after the answer, stores the redacted pair and score, routes it to review; grades count in the trend", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", sampling });
    expect((await adminOk<{ sampling: unknown }>("GET", `/workloads/${org.workload}`)).sampling).toMatchObject({ rate: 100, review_rate: 100 });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "My SSN is 536-22-8745, update my file" }] });
    expect(res.status).toBe(200);
    // Samples are keyed by the gateway's request id (x-request-id on the answer).
    const rid = res.headers.get("x-request-id")!;
    const answer = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    const row = await sampleRow(rid);
    expect(row).toMatchObject({ workload: org.workload, metadata_only: 0, score: 1, review: "pending" });
    expect(String(row.pair)).not.toContain("536-22-8745");
    expect(String(row.pair)).toContain("update my file");
    expect(JSON.parse(String(row.pair)).output).toBe(answer.choices[0].message.content);

    const reviews = await adminOk<{ data: Array<{ id: string; pair: { output: string } }> }>("GET", `/reviews?workload=${org.workload}`);
    expect(reviews.data.map((r) => r.id)).toEqual([rid]);
    await adminOk("POST", `/reviews/${rid}`, { score: 0.25, note: "too terse" });
    const quality = await adminOk<{ trend: Array<{ samples: number; human_graded: number; mean_score: number }> }>("GET", `/workloads/${org.workload}/quality?days=30`);
    expect(quality.trend.at(-1)).toMatchObject({ samples: 1, human_graded: 1, mean_score: 0.25 });
    expect((await admin("POST", `/reviews/${rid}`, { score: 2 })).status).toBe(400);

    // One call turns samples into examples of a new dataset version.
    const ds = await adminOk<{ version: number; examples: number; added: number }>("POST", `/workloads/${org.workload}/datasets/from-samples`, { request_ids: [rid], category: "from-production" });
    expect(ds).toMatchObject({ version: 1, examples: 1, added: 1 });
    // Results live in the control plane: an example made from production keeps no answer text there.
    const run = await runToCompletion({ workload: org.workload, suite: "golden" });
    expect(run.results).toMatchObject([{ example: `sample_${rid}`, status: "pass", output: null }]);
  });

  it("samples a stream after it ends, with the text the client received", async () => {
    const org = await createOrg();
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", sampling });
    const res = await chat(org.apiKey, { model: "sim-chat", stream: true, messages: [{ role: "user", content: "stream me an answer, my SSN is 536-22-8745" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const rid = res.headers.get("x-request-id")!;
    const sse = await res.text();
    const streamed = sse.split("\n").filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "").join("");
    expect(streamed.length).toBeGreaterThan(0);
    const row = await sampleRow(rid);
    expect(row).toMatchObject({ workload: org.workload, metadata_only: 0, score: 1, review: "pending", data_class: "public" });
    const pair = JSON.parse(String(row.pair)) as { messages: Array<{ content: string }>; output: string };
    expect(pair.output).toBe(streamed);
    expect(pair.messages[0].content).toContain("stream me an answer");
    expect(String(row.pair)).not.toContain("536-22-8745");
  });

  it("a sample is written to the home edge's zone D1, never to the control plane", async () => {
    const org = await createOrg({ residency: "eu" });
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", sampling });
    const ask = (): Promise<Response> => env.EDGE_EU.fetch(new Request(`${BASE}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-chat", messages: [{ role: "user", content: "zone marker question" }] }),
    }));
    // The eu edge learns about the new key once its bundle refreshes from the control plane.
    const res = await eventually(async () => {
      const r = await ask();
      return r.status === 200 ? r : (await r.arrayBuffer(), undefined);
    });
    expect(res.headers.get("x-switchyard-region")).toBe("eu");
    const rid = res.headers.get("x-request-id")!;
    await res.arrayBuffer();
    const zoneRow = await eventually(() => env.DB_EU.prepare("SELECT * FROM eval_samples WHERE request_id = ?").bind(rid).first<Record<string, unknown>>(), 20_000);
    expect(zoneRow).toMatchObject({ workload: org.workload, metadata_only: 0, score: 1 });
    expect(String(zoneRow.pair)).toContain("zone marker question");
    // The test worker's DB is the control plane (CONTROL_DB of the eu edge): no sample there.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM eval_samples WHERE request_id = ?").bind(rid).first<{ n: number }>()).toEqual({ n: 0 });
    // The review queue answers from the edge's own zone.
    const reviews = await env.EDGE_EU.fetch(new Request(`${BASE}/admin/v1/reviews?workload=${org.workload}`, { headers: { authorization: `Bearer ${await adminToken()}` } }));
    expect(((await reviews.json()) as { data: Array<{ id: string }> }).data.map((r) => r.id)).toEqual([rid]);
  });

  it("restricted requests are sampled as metadata only", async () => {
    const org = await createOrg({ dataClass: "restricted" });
    await adminOk("PUT", `/workloads/${org.workload}`, { team: org.team, default_data_class: "restricted", allowed_models: ["sim-chat"], lifecycle: "production", sampling });
    const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: "patient notes" }] });
    expect(res.status).toBe(200);
    const rid = res.headers.get("x-request-id")!;
    const row = await sampleRow(rid);
    expect(row).toMatchObject({ metadata_only: 1, pair: null, score: null, review: "none", data_class: "restricted" });
    const refused = await admin("POST", `/workloads/${org.workload}/datasets/from-samples`, { request_ids: [rid], category: "x" });
    expect(refused.status).toBe(422);
  });

  it("a sustained drop below the baseline raises a quality_regression alert; one bad sample does not", async () => {
    const org = await createOrg();
    const steady = `${org.workload}-steady`;
    for (const w of [org.workload, steady]) {
      await adminOk("PUT", `/workloads/${w}`, { team: org.team, default_data_class: "public", allowed_models: ["sim-chat"], lifecycle: "production", sampling: { ...sampling, regression_margin: 0.1 } });
    }
    const now = Date.now();
    const day = (d: number) => new Date(now - d * 86_400_000).toISOString().slice(0, 10);
    const insert = env.DB.prepare("INSERT INTO eval_samples (request_id, workload, ts, day, data_class, metadata_only, pair, score, detail, review) VALUES (?, ?, ?, ?, 'public', 1, NULL, ?, NULL, 'none')");
    const rows = [];
    for (let d = 2; d <= 20; d++) for (let i = 0; i < 4; i++) {
      for (const w of [org.workload, steady]) rows.push(insert.bind(`h-${w}-${d}-${i}`, w, `${day(d)}T12:00:00Z`, day(d), i === 0 ? 0.7 : 0.9));
    }
    for (let i = 0; i < 15; i++) {
      rows.push(insert.bind(`r-${org.workload}-${i}`, org.workload, `${day(0)}T08:00:00Z`, day(0), i % 3 === 0 ? 0.6 : 0.45));
      rows.push(insert.bind(`r-${steady}-${i}`, steady, `${day(0)}T08:00:00Z`, day(0), i === 0 ? 0 : 0.9));
    }
    await env.DB.batch(rows);
    await runQualityChecks(env, now);
    const alerts = await env.DB.prepare("SELECT title, evidence FROM alerts WHERE kind = 'quality_regression'").all<{ title: string; evidence: string }>();
    expect(alerts.results.map((a) => a.title)).toEqual([`Quality of workload ${org.workload} dropped below its baseline`]);
    expect(JSON.parse(alerts.results[0].evidence).p_value).toBeLessThan(0.05);
    const q = await adminOk<{ regression: { regressed: boolean } }>("GET", `/workloads/${org.workload}/quality?days=30`);
    expect(q.regression.regressed).toBe(true);
  });
});
