/**
 * Finance and compliance reports end to end: usage written by the real usage writer, reports made
 * through the API and the monthly cron, archived in R2, sent through the send_email binding (the
 * Miniflare one accepts and stores it), the sent MIME parsed back with postal-mime; a failing
 * mail service (the outside world) is simulated to prove retry without double sends.
 */
import { env } from "cloudflare:test";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { UsageEvent } from "../../src/usage/event";
import { writeUsage } from "../../src/usage/writer";
import { createReport, deliverReport, retryUndelivered } from "../../src/operations/reports/archive";
import { parseCsv } from "../../src/operations/spend/csv";
import { parseUsdToNusd } from "../../src/operations/spend/money";
import { cronJobs, cronSchedule } from "../../workers/cron";
import { admin, adminOk, createOrg } from "./helpers";

const PERIOD = "2026-10";
const finance = { sub: "fin", role: "finance" as const };
const auditor = { sub: "aud", role: "auditor" as const };
const TEAM_NAME = "Équipe Données — 東京";

function event(i: number, team: string, workload: string, over: Partial<UsageEvent> = {}): UsageEvent {
  const day = String(1 + (i % 31)).padStart(2, "0");
  return {
    request_id: `rep-${team}-${i}`, ts: `${PERIOD}-${day}T1${i % 10}:00:00.000Z`, team, workload, key_id: "k", model: "sim-chat", provider: i % 3 ? "sim-us" : "sim-eu",
    region: "us", tokens_in: 100 + i, tokens_out: 10 + i, cost_nusd: 123_456_789 + i * 1_000_003, latency_ms: 5, ttfb_ms: 2, status: 200, error_code: null,
    data_class: "public", cache: i % 5 ? "miss" : "hit", estimated: false, route: "ordered", ...over,
  };
}

let seeded: Promise<{ team: string; workload: string }> | undefined;
/** One team with a Unicode name and 93 requests across October, one served by a model its workload does not allow. */
function seed() {
  seeded ??= (async () => {
    const org = await createOrg({ budgetUsd: 50 });
    await adminOk("PUT", `/teams/${org.team}`, { name: TEAM_NAME, monthly_budget_usd: 50, rpm: 1000, tpm: 1_000_000, residency: "us" });
    const events = Array.from({ length: 93 }, (_, i) => event(i, org.team, org.workload));
    events.push(event(200, org.team, org.workload, { model: "rogue-model" }));
    await writeUsage(env.DB, events);
    // The provider's own bill for sim-us: 5% above what the gateway saw → a flagged discrepancy.
    const simUs = events.filter((e) => e.provider === "sim-us").reduce((a, e) => a + e.cost_nusd, 0);
    await adminOk("POST", "/usage/import", { source: "sim-us-invoice", rows: [{ date: `${PERIOD}-15`, team: org.team, provider: "sim-us", cost_usd: ((simUs * 1.05) / 1e9).toFixed(9) }] });
    return { team: org.team, workload: org.workload };
  })();
  return seeded;
}

async function sentMessage(id: string) {
  const res = await admin("GET", `/reports/${id}/email`, undefined, auditor);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("message/rfc822");
  const raw = await res.text();
  return { raw, sha: res.headers.get("x-content-sha256"), parsed: await PostalMime.parse(raw) };
}

describe("finance report", () => {
  it("is generated on demand, archived with its sha256, emailed, and parses back: parts, encodings, Unicode, CSV", async () => {
    const { team } = await seed();
    const res = await admin("POST", "/reports", { kind: "finance", period: PERIOD }, finance);
    expect(res.status).toBe(201);
    const rep = await res.json<{ id: string; sha256: string; recipients: string[]; delivery: { status: string; message_id: string | null; error: string | null } }>();
    expect(rep.recipients).toEqual(["finance@acme.example"]);
    expect(rep.delivery).toMatchObject({ status: "sent", error: null });
    expect(rep.delivery.message_id).toBeTruthy();

    const { raw, sha, parsed } = await sentMessage(rep.id);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(raw)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(digest).toBe(rep.sha256);
    expect(sha).toBe(rep.sha256);
    // Every byte on the wire is 7-bit ASCII with CRLF line ends of at most 998 characters.
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    expect(raw.split("\r\n").every((l) => l.length <= 998)).toBe(true);
    expect(raw).toContain("Content-Transfer-Encoding: base64");
    expect(parsed.subject).toContain(`finance report ${PERIOD}`);
    expect(parsed.from?.address).toBe("switchyard@acme.example");
    expect(parsed.to?.map((t) => t.address)).toEqual(["finance@acme.example"]);
    expect(parsed.text).toContain(TEAM_NAME);
    expect(parsed.html).toContain(TEAM_NAME);
    expect(parsed.html).toContain("<svg");
    expect(parsed.html).toContain("80% interval");
    expect(parsed.attachments).toHaveLength(1);
    const csvPart = parsed.attachments[0];
    expect(csvPart.filename).toBe(`switchyard-focus-${PERIOD}.csv`);
    expect(csvPart.mimeType).toBe("text/csv");

    // The CSV totals equal GET /admin/v1/usage for the period, to the nano-dollar (so to the cent).
    const csv = parseCsv(typeof csvPart.content === "string" ? csvPart.content : new TextDecoder().decode(csvPart.content));
    const head = csv[0];
    const rows = csv.slice(1).filter((r) => JSON.parse(r[head.indexOf("Tags")]).team === team);
    const csvTotal = rows.reduce((a, r) => a + parseUsdToNusd(r[head.indexOf("BilledCost")])!, 0);
    const usage = await adminOk<{ data: Array<{ cost_nusd: number; cost_usd: number }> }>("GET", `/usage?from=${PERIOD}-01&to=${PERIOD}-31&team=${team}&group_by=`);
    expect(csvTotal).toBe(usage.data[0].cost_nusd);
    expect((csvTotal / 1e9).toFixed(2)).toBe(usage.data[0].cost_usd.toFixed(2));

    const data = await (await admin("GET", `/reports/${rep.id}`, undefined, auditor)).json<{ data: { kind: string; by_team: Array<{ key: string; name: string; actual_nusd: number }> } }>();
    expect(data.data.kind).toBe("finance");
    expect(data.data.by_team.find((t) => t.key === team)).toMatchObject({ name: TEAM_NAME, actual_nusd: usage.data[0].cost_nusd });
  }, 60_000);

  it("lists reports for finance and auditors only; bad input gets problems", async () => {
    await seed();
    const list = await (await admin("GET", "/reports?kind=finance", undefined, auditor)).json<Array<{ id: string; kind: string; period: string; delivery: { status: string } }>>();
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toMatchObject({ kind: "finance", period: PERIOD });
    expect((await admin("GET", "/reports", undefined, { sub: "o", role: "team-owner", team: "x" })).status).toBe(403);
    expect((await admin("POST", "/reports", { kind: "finance", period: PERIOD }, auditor)).status).toBe(403);
    expect((await admin("POST", "/reports", { kind: "finance", period: "2026-13" }, finance)).status).toBe(400);
    expect((await admin("POST", "/reports", { kind: "weekly", period: PERIOD }, finance)).status).toBe(400);
    expect((await admin("POST", "/reports", { kind: "finance", period: "2999-01" }, finance)).status).toBe(400);
    expect((await admin("GET", "/reports/rep_nope", undefined, auditor)).status).toBe(404);
    expect((await admin("GET", "/reports/..%2F..%2Fetc/email", undefined, auditor)).status).toBe(404);
  }, 60_000);
});

describe("compliance report", () => {
  it("goes to finance and the review board and flags provider mismatch, catalog violations, missing days, no evals yet", async () => {
    const { team, workload } = await seed();
    const rep = await (await admin("POST", "/reports", { kind: "compliance", period: PERIOD }, finance)).json<{ id: string; recipients: string[]; delivery: { status: string } }>();
    expect(rep.recipients).toEqual(["finance@acme.example", "ai-review-board@acme.example"]);
    expect(rep.delivery.status).toBe("sent");
    const { data } = await (await admin("GET", `/reports/${rep.id}`, undefined, auditor)).json<{ data: {
      discrepancies: Array<{ kind: string; evidence: Record<string, unknown> }>; catalog: { compliant: boolean; violations: Array<{ workload: string; model: string; requests: number }> };
      gateway_share: { by_provider: Array<{ provider: string; share: number | null }> }; evals: { status: string }; budget_adherence: Array<{ team: string; within: boolean }>;
    } }>();
    const mismatch = data.discrepancies.find((d) => d.kind === "provider_spend_mismatch");
    expect(mismatch?.evidence.provider).toBe("sim-us");
    expect(data.gateway_share.by_provider.find((p) => p.provider === "sim-us")!.share).toBeCloseTo(1 / 1.05, 6);
    expect(data.discrepancies.some((d) => d.kind === "rollup_mismatch")).toBe(false);
    expect(data.catalog.compliant).toBe(false);
    expect(data.catalog.violations).toContainEqual({ team, workload, model: "rogue-model", requests: 1 });
    expect(data.evals.status).toBe("not_available");
    expect(data.budget_adherence.find((b) => b.team === team)!.within).toBe(true);
    const { parsed } = await sentMessage(rep.id);
    expect(parsed.text).toContain("provider_spend_mismatch");
    expect(parsed.subject).toContain("discrepanc");
  }, 60_000);

  it("flags rollups that disagree with raw events", async () => {
    const { team } = await seed();
    await env.DB.prepare("UPDATE usage_daily SET cost_nusd = cost_nusd + 1 WHERE team = ? AND day = ?").bind(team, `${PERIOD}-07`).run();
    const row = await createReport(env, { kind: "compliance", period: PERIOD, trigger: "api", now: Date.now() });
    const data = JSON.parse(await (await env.BLOBS.get(row.data_key))!.text()) as { discrepancies: Array<{ kind: string; evidence: { day?: string } }> };
    expect(data.discrepancies.filter((d) => d.kind === "rollup_mismatch").map((d) => d.evidence.day)).toEqual([`${PERIOD}-07`]);
    await env.DB.prepare("UPDATE usage_daily SET cost_nusd = cost_nusd - 1 WHERE team = ? AND day = ?").bind(team, `${PERIOD}-07`).run();
    expect((await deliverReport(env, row.id))!.status).toBe("sent");
  }, 60_000);
});

describe("delivery", () => {
  /** The outside world's mail service: fails for the listed addresses, records every accepted send. */
  function mailService(failFor: string[], sent: string[]): SendEmail {
    return {
      async send(message: EmailMessage) {
        if (failFor.includes(message.to)) throw new Error(`mail service refused ${message.to}`);
        sent.push(message.to);
        return { messageId: `<m${sent.length}@mail.test>` };
      },
    } as unknown as SendEmail;
  }

  it("records a failed send, retries it on the next cron, and never sends twice to anyone", async () => {
    await seed();
    const sent: string[] = [];
    const row = await createReport(env, { kind: "compliance", period: PERIOD, trigger: "api", now: Date.now() });
    const flaky = { ...env, EMAIL: mailService(["ai-review-board@acme.example"], sent) } as Env;
    const failed = await deliverReport(flaky, row.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed!.error).toContain("mail service refused");
    expect(JSON.parse(failed!.delivered_to)).toEqual(["finance@acme.example"]);
    expect((await (await admin("GET", "/reports", undefined, finance)).json<Array<{ id: string; delivery: { status: string; error: string } }>>()).find((r) => r.id === row.id)!.delivery.status).toBe("failed");

    expect(cronSchedule["*/5 * * * *"]).toContain("report-delivery-retry");
    const healthy = { ...env, EMAIL: mailService([], sent) } as Env;
    expect(await retryUndelivered(healthy)).toContain(row.id);
    expect(sent).toEqual(["finance@acme.example", "ai-review-board@acme.example"]);
    await retryUndelivered(healthy);
    await deliverReport(healthy, row.id);
    expect(sent).toHaveLength(2);
    const done = await env.DB.prepare("SELECT status, attempts, error FROM reports WHERE id = ?").bind(row.id).first();
    expect(done).toEqual({ status: "sent", attempts: 2, error: null });
  }, 60_000);

  it("the monthly cron makes each report once per month, however often it fires", async () => {
    await seed();
    expect(cronSchedule["0 6 1 * *"]).toContain("monthly-reports");
    const firstOfNov = Date.UTC(2026, 10, 1, 6, 0, 0);
    await cronJobs["monthly-reports"](env, firstOfNov);
    await cronJobs["monthly-reports"](env, firstOfNov);
    const rows = await env.DB.prepare("SELECT id, status FROM reports WHERE trigger = 'cron' AND period = ? ORDER BY id").bind(PERIOD).all();
    expect(rows.results).toEqual([{ id: `rep_compliance_${PERIOD}`, status: "sent" }, { id: `rep_finance_${PERIOD}`, status: "sent" }]);
  }, 60_000);
});
