/**
 * Log segments on real local D1/R2: a consumer batch writes one R2 object per (class, expiry day)
 * instead of one per request, rows point at byte ranges of it, redeliveries change nothing, and
 * the retention purge deletes a segment only once no row needs it (orphans included).
 */
import { createMessageBatch, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleQueue } from "../../workers/consumers";
import { runRestrictedAudit } from "../../src/logging/audit";
import { prepareLogMessage } from "../../src/logging/emit";
import { SEGMENT_KEY_RE } from "../../src/logging/segment";
import type { LogBodies, LogRecord } from "../../src/logging/tier";
import { purgeExpiredLogs, sweepOrphanSegments, writeLogs } from "../../src/logging/writer";
import { admin, chat, createOrg, eventually } from "./helpers";

const AUDITOR = { sub: "seg-auditor", role: "auditor" } as const;
const encoder = new TextEncoder();

const rec = (request_id: string, data_class: LogRecord["data_class"], expires_at: string, bodies?: LogBodies): LogRecord => ({
  type: "request_log", request_id, ts: "2026-07-01T10:00:00.000Z", team: "seg-team", workload: "seg-wl", key_id: "k", model: "sim-chat", provider: "sim-us",
  data_class, status: 200, tokens_in: 3, tokens_out: 4, cache: "off", dlp_types: [], expires_at, ...(bodies ? { bodies } : {}),
});
const bodies = (text: string): LogBodies => ({ request: { model: "sim-chat", messages: [{ role: "user", content: text }] }, response: { content: `answer to ${text}` } });

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.BLOBS.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys.sort();
}

async function snapshot(prefix: string): Promise<string[]> {
  return Promise.all((await keysUnder(prefix)).map(async (k) => `${k} ${await (await env.BLOBS.get(k))!.text()}`));
}

const row = (rid: string) => env.DB.prepare("SELECT * FROM request_logs WHERE request_id = ?").bind(rid).first<Record<string, unknown>>();

async function bodyViaAdmin(rid: string): Promise<LogBodies> {
  const res = await admin("GET", `/logs/${encodeURIComponent(rid)}/body`, undefined, AUDITOR);
  expect(res.status, `body of ${rid}`).toBe(200);
  const { request, response } = await res.json<LogBodies>();
  return { request, response };
}

describe("log segments", () => {
  it("a batch writes one object per (class, expiry day), and every row reads back its own bytes", async () => {
    const canary = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
    const texts = ["naïve café 🚀", "plain ascii", "日本語のテキスト", "emoji 🚀🚀🚀 and ü", "x", "\"quotes\" \\ and \n newlines"];
    const records = [
      ...texts.map((t, i) => rec(`a-pub-${i}`, "public", `2099-01-01T0${i}:00:00.000Z`, bodies(t))),
      ...texts.slice(0, 3).map((t, i) => rec(`a-int-${i}`, "internal", `2099-01-01T1${i}:00:00.000Z`, bodies(`internal ${t}`))),
      // Another expiry day of the same class is another segment: a segment expires as a whole.
      rec("a-pub-next", "public", "2099-01-02T00:00:00.000Z", bodies("next day")),
      // The tier rule is re-checked here: restricted bodies are dropped even if a record carries them.
      rec("a-res-0", "restricted", "2099-01-01T00:00:00.000Z", bodies(canary)),
      rec("a-res-1", "restricted", "2099-01-01T00:00:00.000Z"),
    ];
    await writeLogs(env, records);

    expect(await keysUnder("logs/public/2099-01-01/")).toHaveLength(1);
    expect(await keysUnder("logs/internal/2099-01-01/")).toHaveLength(1);
    expect(await keysUnder("logs/public/2099-01-02/")).toHaveLength(1);
    expect(await keysUnder("logs/restricted/")).toHaveLength(0);
    const [pubKey] = await keysUnder("logs/public/2099-01-01/");
    expect(pubKey).toMatch(SEGMENT_KEY_RE);
    const head = await env.BLOBS.head(pubKey);
    expect(head?.customMetadata).toMatchObject({ data_class: "public", records: String(texts.length) });
    expect(head?.customMetadata?.team).toBeUndefined();

    for (const r of records.filter((x) => x.bodies && x.data_class !== "restricted")) {
      const stored = await row(r.request_id);
      expect(stored?.body_offset).not.toBeNull();
      expect(stored?.body_bytes).toBe(encoder.encode(JSON.stringify(r.bodies)).byteLength);
      expect(await bodyViaAdmin(r.request_id)).toEqual(r.bodies);
    }
    for (const rid of ["a-res-0", "a-res-1"]) {
      expect(await row(rid)).toMatchObject({ body_key: null, body_offset: null, body_bytes: null });
      expect((await admin("GET", `/logs/${rid}/body`, undefined, AUDITOR)).status).toBe(404);
    }
    expect((await snapshot("logs/")).join("\n")).not.toContain(canary);
    // Access rules are unchanged: internal bodies are not for admins or other teams' owners.
    expect((await admin("GET", "/logs/a-int-0/body")).status).toBe(403);
    expect((await admin("GET", "/logs/a-int-0/body", undefined, { sub: "o", role: "team-owner", team: "other" })).status).toBe(403);
    expect((await admin("GET", "/logs/a-int-0/body", undefined, { sub: "o", role: "team-owner", team: "seg-team" })).status).toBe(200);
    const list = await (await admin("GET", "/logs?team=seg-team", undefined, AUDITOR)).json<{ data: Array<Record<string, unknown>> }>();
    expect(list.data.find((d) => d.request_id === "a-pub-0")).toMatchObject({ has_body: true });
    expect(list.data.find((d) => d.request_id === "a-pub-0")).not.toHaveProperty("body_offset");

    expect((await runRestrictedAudit(env, Date.now())).ok).toBe(true);
  });

  it("through the gateway: non-ASCII prompts come back byte-exact from their batch segment", async () => {
    const org = await createOrg();
    const prompts = ["naïve café 🚀", "Grüße aus Köln", "中文 提示"];
    const rids = await Promise.all(prompts.map(async (p) => {
      const res = await chat(org.apiKey, { model: "sim-chat", messages: [{ role: "user", content: p }] });
      await res.arrayBuffer();
      return res.headers.get("x-request-id")!;
    }));
    for (const [i, rid] of rids.entries()) {
      const stored = await eventually(() => row(rid));
      expect(String(stored.body_key)).toMatch(SEGMENT_KEY_RE);
      expect(stored.body_offset).not.toBeNull();
      const body = (await bodyViaAdmin(rid)) as { request: { messages: Array<{ content: string }> } };
      expect(body.request.messages[0].content).toBe(prompts[i]);
    }
  });

  it("a redelivered batch changes nothing: same objects, same bytes, same rows", async () => {
    const records = ["c", "a", "b", "d"].map((id, i) => rec(`redo-${id}`, i % 2 ? "internal" : "public", "2099-02-01T12:00:00.000Z", bodies(`redo ${id} ü`)));
    const batch = () => createMessageBatch<unknown>("usage-events", records.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })));
    const rows = async () => (await env.DB.prepare("SELECT * FROM request_logs WHERE request_id LIKE 'redo-%' ORDER BY request_id").all()).results;
    const objectsOfDay = async () => [...(await snapshot("logs/public/2099-02-01/")), ...(await snapshot("logs/internal/2099-02-01/"))];
    await handleQueue(batch(), env);
    const objects = await objectsOfDay();
    const before = await rows();
    expect(before).toHaveLength(4);
    expect(objects).toHaveLength(2);

    await handleQueue(batch(), env);
    // Same records in another order (a redelivery need not keep it): still the same bytes.
    await writeLogs(env, [...records].reverse());
    expect(await objectsOfDay()).toEqual(objects);
    expect(await rows()).toEqual(before);

    // Regrouped redelivery (one old record with a new one): the old row keeps its slice, which
    // still reads back; the new record gets a segment of its own.
    const extra = rec("redo-e", "public", "2099-02-01T13:00:00.000Z", bodies("redo e"));
    await writeLogs(env, [records[0], extra]);
    expect(await rows()).toEqual(expect.arrayContaining(before));
    expect((await row("redo-c"))?.body_key).toBe(before.find((r) => r.request_id === "redo-c")?.body_key);
    expect(await bodyViaAdmin("redo-c")).toEqual(records[0].bodies);
    expect(await bodyViaAdmin("redo-e")).toEqual(extra.bodies);
  });

  it("purge deletes rows as they expire and the segment only with its last row", async () => {
    const early = rec("purge-early", "public", "2020-03-01T01:00:00.000Z", bodies("early ✓"));
    const late = rec("purge-late", "public", "2020-03-01T05:00:00.000Z", bodies("late ✓"));
    const other = rec("purge-internal", "internal", "2020-03-01T02:00:00.000Z", bodies("internal"));
    await writeLogs(env, [early, late, other]);
    const segment = String((await row("purge-early"))?.body_key);
    expect((await row("purge-late"))?.body_key).toBe(segment);
    const internalSegment = String((await row("purge-internal"))?.body_key);

    expect(await purgeExpiredLogs(env, Date.parse("2020-03-01T03:00:00Z"))).toBe(2);
    expect(await row("purge-early")).toBeNull();
    expect(await row("purge-internal")).toBeNull();
    expect(await env.BLOBS.head(internalSegment)).toBeNull();
    // The public segment still has a live row: it stays, and that row still reads back.
    expect(await env.BLOBS.head(segment)).not.toBeNull();
    expect(await bodyViaAdmin("purge-late")).toEqual(late.bodies);

    expect(await purgeExpiredLogs(env, Date.parse("2020-03-01T06:00:00Z"))).toBe(1);
    expect(await row("purge-late")).toBeNull();
    expect(await env.BLOBS.head(segment)).toBeNull();
  });

  it("a segment whose rows never landed is swept once its day has passed, and nothing else is", async () => {
    const day = "2020-05-01";
    const records = ["x", "y"].map((id) => rec(`orphan-${id}`, "public", `${day}T10:00:00.000Z`, bodies(id)));
    // Crash between the segment put and the D1 batch.
    const crashing = { BLOBS: env.BLOBS, DB: { prepare: (q: string) => env.DB.prepare(q), batch: () => Promise.reject(new Error("crash")) } as unknown as D1Database };
    await expect(writeLogs(crashing, records)).rejects.toThrow("crash");
    const [orphan] = await keysUnder(`logs/public/${day}/`);
    expect(orphan).toMatch(SEGMENT_KEY_RE);
    // The redelivery grouped differently, so it wrote another segment; the first has no rows.
    await writeLogs(env, [records[0]]);
    const live = String((await row("orphan-x"))?.body_key);
    expect(live).not.toBe(orphan);
    // A per-request body under a past (request) day, and today's orphan, must survive the sweep.
    const perRequest = `logs/public/${day}/req-${"0".repeat(32)}.json`;
    await env.BLOBS.put(perRequest, "{}");
    await writeLogs(crashing, [rec("orphan-today", "public", "2020-05-02T10:00:00.000Z", bodies("today"))]).catch(() => undefined);
    const [todays] = await keysUnder("logs/public/2020-05-02/");

    expect(await sweepOrphanSegments(env, day)).toBe(0); // not strictly before the cutoff day yet
    expect(await sweepOrphanSegments(env, "2020-05-02")).toBe(1);
    expect(await env.BLOBS.head(orphan)).toBeNull();
    expect(await env.BLOBS.head(live)).not.toBeNull(); // still referenced by a row
    expect(await env.BLOBS.head(perRequest)).not.toBeNull();
    expect(await env.BLOBS.head(todays)).not.toBeNull();

    // The daily purge runs the sweep after the rows: the referenced segment goes with its row.
    await purgeExpiredLogs(env, Date.parse("2020-05-03T03:00:00Z"));
    expect(await row("orphan-x")).toBeNull();
    expect(await env.BLOBS.head(live)).toBeNull();
    expect(await env.BLOBS.head(todays)).toBeNull();
    expect(await env.BLOBS.head(perRequest)).not.toBeNull();
    await env.BLOBS.delete(perRequest);
  });

  it("large bodies stay whole objects (body_offset NULL) and still read back", async () => {
    const big = bodies(`naïve café 🚀 ${"lorem ipsum ".repeat(10_000)}`);
    const message = await prepareLogMessage(env, rec("large-1", "internal", "2030-03-01T00:00:00.000Z", big));
    expect(message.bodies).toBeUndefined();
    await writeLogs(env, [message, rec("large-small", "internal", "2030-03-01T00:00:00.000Z", bodies("small"))]);
    const stored = await row("large-1");
    expect(stored).toMatchObject({ body_key: message.body_key, body_offset: null, body_bytes: encoder.encode(JSON.stringify(big)).byteLength });
    // Under the limit in characters but over it in UTF-8 bytes: it must not ride in the queue message.
    const wide = bodies("€".repeat(40_000));
    expect(JSON.stringify(wide).length).toBeLessThan(96 * 1024);
    const wideMessage = await prepareLogMessage(env, rec("large-wide", "internal", "2030-03-01T00:00:00.000Z", wide));
    expect(wideMessage.bodies).toBeUndefined();
    expect(wideMessage.body_bytes).toBe(encoder.encode(JSON.stringify(wide)).byteLength);
    await env.BLOBS.delete(String(wideMessage.body_key));
    expect(await bodyViaAdmin("large-1")).toEqual(big);
    expect(await bodyViaAdmin("large-small")).toEqual(bodies("small"));
    // The purge deletes a whole object with its row, as before.
    await purgeExpiredLogs(env, Date.parse("2030-03-01T00:00:00Z"));
    expect(await env.BLOBS.head(String(message.body_key))).toBeNull();
  });

  it("the audit reads segment indexes: a restricted request's body inside a segment is a violation", async () => {
    await writeLogs(env, [rec("audit-restricted", "restricted", "2099-04-01T00:00:00.000Z")]);
    // Plant what a broken writer would produce: a public segment holding a restricted request.
    const index = `${JSON.stringify({ segment: 1, request_ids: ["audit-restricted"] })}\n`;
    const key = `logs/public/2099-04-01/seg-${"a".repeat(32)}.ndjson`;
    await env.BLOBS.put(key, `${index}{"request":"leak"}\n`, { customMetadata: { data_class: "public", records: "1", index_bytes: String(encoder.encode(index).byteLength) } });
    const unindexed = `logs/public/2099-04-01/seg-${"b".repeat(32)}.ndjson`;
    await env.BLOBS.put(unindexed, `{"request":"?"}\n`, { customMetadata: { data_class: "public", records: "1" } });
    const report = await runRestrictedAudit(env, Date.now());
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual(expect.arrayContaining([
      expect.objectContaining({ store: "r2", location: key, reason: "object holds content of a restricted request" }),
      expect.objectContaining({ store: "r2", location: unindexed }),
    ]));
    await env.BLOBS.delete([key, unindexed]);
    expect((await runRestrictedAudit(env, Date.now())).ok).toBe(true);
  });
});
