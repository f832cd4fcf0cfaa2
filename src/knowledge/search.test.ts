import { describe, expect, it } from "vitest";
import { likePattern, queryTerms, rank, scoreDoc, snippet, type KnowledgeDoc } from "./search";

const NOW = Date.parse("2026-12-02T00:00:00Z");
const doc = (id: string, title: string, body: string, at = "2026-11-30T00:00:00Z", kind: KnowledgeDoc["kind"] = "incident"): KnowledgeDoc => ({ kind, id, title, body, at, href: `/admin/v1/incidents/${id}` });

describe("knowledge search ranking", () => {
  it("splits queries into lowercase terms, at most eight", () => {
    expect(queryTerms("DLP spike, on-call!  DLP")).toEqual(["dlp", "spike", "on-call"]);
    expect(queryTerms("a b c d e f g h i j")).toHaveLength(8);
    expect(queryTerms("  ")).toEqual([]);
  });

  it("escapes LIKE wildcards so a term matches literally", () => {
    expect(likePattern("100%_done\\")).toBe("%100\\%\\_done\\\\%");
  });

  it("requires every term and weighs title hits over body hits", () => {
    expect(scoreDoc(["outage", "failover"], doc("a", "Provider outage", "nothing else"), NOW)).toBe(0);
    const inTitle = scoreDoc(["outage"], doc("a", "Provider outage", "x"), NOW);
    const inBody = scoreDoc(["outage"], doc("b", "Provider event", "an outage"), NOW);
    expect(inTitle).toBeGreaterThan(inBody);
  });

  it("ranks best first, newer first among equals, and cuts a snippet around the hit", () => {
    const docs = [
      doc("old", "Budget breach", "team ran out", "2025-01-01T00:00:00Z"),
      doc("new", "Budget breach", "team ran out", "2026-12-01T00:00:00Z"),
      doc("other", "Provider outage", "failover worked"),
    ];
    const results = rank(docs, ["budget"], NOW, 10);
    expect(results.map((r) => r.id)).toEqual(["new", "old"]);
    expect(rank(docs, [], NOW, 2)).toHaveLength(2);
    const long = `${"filler ".repeat(50)}the secret rotation lesson ${"tail ".repeat(50)}`;
    const s = snippet(long, ["rotation"]);
    expect(s.startsWith("…") && s.endsWith("…")).toBe(true);
    expect(s).toContain("rotation");
    expect(s.length).toBeLessThanOrEqual(202);
  });
});
