import { describe, expect, it } from "vitest";
import { evaluateBaseline, type ObservedCall } from "./baseline";
import { discover, type ObservedEvent } from "./discovery";
import { quarterOf, reviewItems, sameGrant } from "./reviews";
import { gapCv, mad, median, robustZ } from "./stats";

const DAY = 86_400_000;
const NOW = Date.parse("2026-07-10T03:00:00Z");

describe("stats", () => {
  it("median, MAD, robust z and gap regularity", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(robustZ(10, [10, 10, 10])).toBe(0);
    expect(robustZ(100, [10, 11, 9, 10, 12])).toBeGreaterThan(3.5);
    expect(gapCv([0, 60, 120, 180, 240])).toBe(0);
    expect(gapCv([0, 1, 500, 502, 9000])).toBeGreaterThan(1);
  });
});

describe("discover", () => {
  const clockwork = (key: string, n: number, extra: Partial<ObservedEvent> = {}): ObservedEvent[] =>
    Array.from({ length: n }, (_, i) => ({ ts: NOW - DAY + i * 60_000 * 15, keyId: key, userAgent: "Mozilla/5.0", agent: null, ...extra }));

  it("flags an unknown agent id; a claimed registered id alone is only a weak signal", () => {
    const events = [...clockwork("k1", 3, { agent: "rogue" }), ...clockwork("k2", 3, { agent: "known" })];
    const f = discover(events, new Set(["known"]), new Map());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ fingerprint: "key:k1", signals: ["unknown_agent_id"], subject: { agents: ["rogue"] } });
  });

  it("never lets the unauthenticated agent header hide automated traffic", () => {
    // Same bot, once without a header and once claiming a registered agent's id: both are found.
    const bot = (key: string, agent: string | null) => clockwork(key, 60, { userAgent: "python-requests/2.31", agent });
    const f = discover([...bot("k6", null), ...bot("k7", "known")], new Set(["known"]), new Map());
    expect(f.map((x) => x.fingerprint).sort()).toEqual(["key:k6", "key:k7"]);
    const claimed = f.find((x) => x.fingerprint === "key:k7")!;
    expect(claimed.signals).toEqual(expect.arrayContaining(["regular_cadence", "unverified_agent_claim"]));
    expect(claimed.evidence.claimed_agents).toEqual(["known"]);
  });

  it("flags clockwork traffic from an automation user agent, not bursty human traffic", () => {
    const bot = clockwork("k3", 60, { userAgent: "python-requests/2.31" });
    let t = NOW - DAY;
    const human: ObservedEvent[] = Array.from({ length: 60 }, (_, i) => ({ ts: (t += (i % 7 === 0 ? 3_600_000 : 20_000) * (1 + (i % 3))), keyId: "k4", userAgent: "Mozilla/5.0", agent: null }));
    const f = discover([...bot, ...human], new Set(), new Map());
    expect(f.map((x) => x.fingerprint)).toEqual(["key:k3"]);
    expect(f[0].signals).toContain("regular_cadence");
  });

  it("flags a volume anomaly against the key's own baseline when another signal agrees", () => {
    const burst: ObservedEvent[] = Array.from({ length: 400 }, (_, i) => ({ ts: NOW - DAY + i * 1000 * (1 + (i % 5)), keyId: "k5", userAgent: "langchain/0.2", agent: null }));
    const f = discover(burst, new Set(), new Map([["k5", [10, 12, 9, 11, 10, 13, 8]]]));
    expect(f[0].signals).toEqual(expect.arrayContaining(["volume_anomaly", "automation_user_agent"]));
  });
});

describe("baselines", () => {
  const history = (days: number, perDay: number, tool = "query_db"): ObservedCall[] =>
    Array.from({ length: days * perDay }, (_, i) => ({ ts: NOW - DAY - (Math.floor(i / perDay) + 1) * DAY + (i % perDay) * 1000, server: "db", tool, decision: "allow", argShape: '{"table":"string"}', dataClass: "internal" }));

  it("needs a week of history before judging", () => {
    const { deviations, profile } = evaluateBaseline([...history(3, 10), ...history(0, 0)], NOW);
    expect(profile.active_days).toBe(3);
    expect(deviations).toEqual([]);
  });

  it("raises volume, new tool, new shape and new data class deviations", () => {
    const today: ObservedCall[] = Array.from({ length: 200 }, (_, i) => ({ ts: NOW - i * 1000, server: "db", tool: "query_db", decision: "allow", argShape: '{"table":"string"}', dataClass: "internal" }));
    today.push({ ts: NOW - 5, server: "db", tool: "admin_shell", decision: "allow", argShape: '{"cmd":"string"}', dataClass: "restricted" });
    today.push({ ts: NOW - 6, server: "db", tool: "query_db", decision: "allow", argShape: '{"table":"string","sql":"string"}', dataClass: "internal" });
    const { deviations, profile } = evaluateBaseline([...history(20, 10), ...today], NOW);
    expect(profile.daily_calls.median).toBe(10);
    expect(deviations.map((d) => d.kind).sort()).toEqual(["call_volume", "new_arg_shape", "new_data_class", "new_tool"]);
  });

  it("stays quiet for ordinary days", () => {
    const today: ObservedCall[] = Array.from({ length: 11 }, (_, i) => ({ ts: NOW - i * 1000, server: "db", tool: "query_db", decision: "allow", argShape: '{"table":"string"}', dataClass: "internal" }));
    expect(evaluateBaseline([...history(20, 10), ...today], NOW).deviations).toEqual([]);
  });
});

describe("reviews", () => {
  it("names quarters and flags grants unused for 90 days", () => {
    expect(quarterOf(new Date("2026-01-01T07:00:00Z"))).toBe("2026-Q1");
    expect(quarterOf(new Date("2026-10-01T07:00:00Z"))).toBe("2026-Q4");
    const g1 = { server: "db", tool: "q" };
    const g2 = { server: "db", tool: "r", when: "true" };
    const items = reviewItems([{ id: "a", grants: [g1, g2] }], (_a, g) => (g.tool === "q" ? new Date(NOW - 10 * DAY).toISOString() : new Date(NOW - 100 * DAY).toISOString()), NOW);
    expect(items.map((i) => i.unused90d)).toEqual([false, true]);
    expect(sameGrant(g2, { when: "true", tool: "r", server: "db" })).toBe(true);
    expect(sameGrant(g1, g2)).toBe(false);
  });
});
