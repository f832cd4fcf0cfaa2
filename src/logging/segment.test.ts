import { describe, expect, it } from "vitest";
import { SEGMENT_KEY_RE, buildSegments, segmentKey } from "./segment";
import { bodyKey, type LogBodies, type LogRecord } from "./tier";

const rec = (request_id: string, data_class: LogRecord["data_class"], expires_at: string, bodies?: LogBodies): LogRecord => ({
  type: "request_log", request_id, ts: "2026-07-01T10:00:00.000Z", team: "t", workload: "w", key_id: "k", model: "m", provider: "p",
  data_class, status: 200, tokens_in: 1, tokens_out: 2, cache: "off", dlp_types: [], expires_at, ...(bodies ? { bodies } : {}),
});
const b = (text: string): LogBodies => ({ request: { messages: [{ role: "user", content: text }] }, response: { content: `re: ${text}` } });
const decoder = new TextDecoder();

describe("log segments", () => {
  it("one segment per (class, expiry day); restricted and body-less records are never packed", async () => {
    const segments = await buildSegments([
      rec("p1", "public", "2026-07-31T10:00:00.000Z", b("a")),
      rec("p2", "public", "2026-07-31T23:59:59.999Z", b("b")),
      rec("p3", "public", "2026-08-01T00:00:00.000Z", b("c")),
      rec("i1", "internal", "2026-07-31T10:00:00.000Z", b("d")),
      rec("r1", "restricted", "2026-07-31T10:00:00.000Z", b("RESTRICTED-SECRET")),
      rec("m1", "public", "2026-07-31T10:00:00.000Z"),
    ]);
    expect(segments.map((s) => `${s.dataClass}/${s.day}:${s.requestIds.join(",")}`).sort()).toEqual([
      "internal/2026-07-31:i1",
      "public/2026-07-31:p1,p2",
      "public/2026-08-01:p3",
    ]);
    for (const s of segments) {
      expect(s.key).toMatch(SEGMENT_KEY_RE);
      expect(s.key.startsWith(`logs/${s.dataClass}/${s.day}/seg-`)).toBe(true);
      expect(decoder.decode(s.bytes)).not.toContain("RESTRICTED-SECRET");
      expect(decoder.decode(s.bytes)).not.toContain("r1");
    }
  });

  it("slices are UTF-8 byte ranges holding exactly JSON.stringify(bodies)", async () => {
    const bodies = [b("naïve café 🚀"), b("plain"), b("日本語のテキスト"), b("")];
    const records = bodies.map((x, i) => rec(`u${i}`, "internal", "2026-09-01T00:00:00.000Z", x));
    const [s] = await buildSegments(records);
    records.forEach((r, i) => {
      const slice = s.slices.get(r.request_id)!;
      const json = JSON.stringify(bodies[i]);
      expect(decoder.decode(s.bytes.subarray(slice.offset, slice.offset + slice.length))).toBe(json);
      expect(slice.length).toBe(new TextEncoder().encode(json).byteLength);
    });
    // Non-ASCII makes bytes and string length differ: a JS-length offset would be caught here.
    expect(s.slices.get("u0")!.length).toBeGreaterThan(JSON.stringify(bodies[0]).length);
    // The index line names every request and is exactly indexBytes long.
    const index = JSON.parse(decoder.decode(s.bytes.subarray(0, s.indexBytes))) as { segment: number; request_ids: string[] };
    expect(index).toEqual({ segment: 1, request_ids: ["u0", "u1", "u2", "u3"] });
  });

  it("is deterministic: same records in any order, duplicated or not, give the same key and bytes", async () => {
    const records = ["c", "a", "b"].map((id) => rec(id, "public", "2026-07-31T10:00:00.000Z", b(id)));
    const [one] = await buildSegments(records);
    const [two] = await buildSegments([...records].reverse().concat(records[0]));
    expect(two.key).toBe(one.key);
    expect([...two.bytes]).toEqual([...one.bytes]);
    expect(one.key).toBe(await segmentKey("public", "2026-07-31", ["a", "b", "c"]));
    const [other] = await buildSegments(records.slice(0, 2));
    expect(other.key).not.toBe(one.key);
  });

  it("segment keys and per-request body keys never match each other's patterns", () => {
    expect(SEGMENT_KEY_RE.test(bodyKey("public", "2026-07-01T00:00:00Z", `seg-${"0".repeat(32)}.ndjson`))).toBe(false);
    expect(SEGMENT_KEY_RE.test(`logs/public/2026-07-01/seg-${"0".repeat(32)}.ndjson`)).toBe(true);
  });
});
