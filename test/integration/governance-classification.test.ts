/**
 * The classification scheme drives DLP "raise" (DESIGN §5): with the demo scheme applied, a
 * request whose DLP findings imply `restricted` is handled as restricted even though the card
 * number itself is redacted before it leaves: metadata-only log, never cached. Its own file so
 * the "before" half runs with no governance version applied (storage is per test file).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { chat, createOrg, eventually, type TestOrg } from "./helpers";
import { demoSetFor, proposeApproveApply } from "./governance-helpers";

const CARD = "4111 1111 1111 1111";
const cardRequest = (tag: string) => ({ model: "sim-chat", max_tokens: 8, messages: [{ role: "user", content: `refund card ${CARD} please (${tag})` }] });
const logRow = (rid: string) => eventually(() => env.DB.prepare("SELECT * FROM request_logs WHERE request_id = ?").bind(rid).first<Record<string, unknown>>());

/** Sends the same card request until a cache hit, or `tries` times; returns the cache statuses seen. */
async function cacheStatuses(org: TestOrg, tag: string, tries: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < tries; i++) {
    const r = await chat(org.apiKey, cardRequest(tag));
    await r.arrayBuffer();
    seen.push(`${r.status}:${r.headers.get("x-switchyard-data-class")}:${r.headers.get("x-switchyard-cache")}`);
    if (r.headers.get("x-switchyard-cache") === "hit") break;
    await new Promise((res) => setTimeout(res, 150));
  }
  return seen;
}

describe("classification scheme at the gateway", () => {
  it("the classification scheme drives DLP raise: a card number makes the request restricted — metadata-only log, never cached", async () => {
    const org = await createOrg({ cache: { mode: "exact", ttl_s: 600 } });
    // Before any governance version: the card is redacted, the rest is logged and cached as public.
    const before = await cacheStatuses(org, "before", 20);
    expect(before[0]).toBe("200:public:miss");
    expect(before.at(-1)).toBe("200:public:hit");
    await proposeApproveApply(demoSetFor([org]));
    const res = await chat(org.apiKey, cardRequest("after"));
    expect(res.status).toBe(200);
    // The gateway's own id keys the rows (a restricted request keeps the client's id only hashed).
    const rid = res.headers.get("x-request-id")!;
    expect(res.headers.get("x-switchyard-data-class")).toBe("restricted");
    await res.arrayBuffer();
    const row = await logRow(rid);
    expect(row).toMatchObject({ data_class: "restricted", body_key: null, body_bytes: null });
    const after = await cacheStatuses(org, "after", 5);
    expect(after.every((s) => s.startsWith("200:restricted:") && !s.endsWith(":hit"))).toBe(true);
    // What the replay needs is kept: the entity types, never the value.
    const usage = await eventually(() => env.DB.prepare("SELECT detail FROM usage_events WHERE request_id = ?").bind(rid).first<{ detail: string }>());
    expect(JSON.parse(usage.detail).dlp_request.types).toEqual(["CREDIT_CARD"]);
    expect(usage.detail).not.toContain("4111");
  });

});
