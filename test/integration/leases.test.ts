import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk, chat, createOrg, eventually } from "./helpers";

interface BudgetView { spent_usd: number; reserved_usd: number }

const ask = (i: number) => ({ model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content: `lease ${i}` }] });
const ledger = (team: string) => env.TEAM_BUDGET.get(env.TEAM_BUDGET.idFromName(team));

describe("budget leases", () => {
  it("requests are admitted from leases, with far fewer Durable Object calls than requests, and the ledger ends exact", async () => {
    const org = await createOrg({ budgetUsd: 100, rpm: 100_000 });
    const results: Response[] = [];
    // One after another: a lease fetch is needed when a lease is full (they grow ×2) or its second is over.
    for (let i = 0; i < 48; i++) results.push(await chat(org.apiKey, ask(i)));
    expect(results.map((r) => r.status)).toEqual(Array(48).fill(200));
    const tokens = await Promise.all(results.map(async (r) => (await r.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>()).usage));
    const spentNusd = tokens.reduce((a, u) => a + u.prompt_tokens * 1000 + u.completion_tokens * 2000, 0);
    const calls = await ledger(org.team).rpcCounts();
    // Without leases this would be 48 reserves and 48 settles.
    expect(calls.lease + calls.reserve).toBeLessThan(16);
    expect(calls.settle).toBeLessThan(16);
    // Once the last lease's second is over it is settled: nothing stays reserved and spend is exact.
    const view = await eventually(async () => {
      const v = await adminOk<BudgetView>("GET", `/teams/${org.team}/budget`);
      return v.reserved_usd === 0 && Math.round(v.spent_usd * 1e9) === spentNusd ? v : undefined;
    });
    expect(view.reserved_usd).toBe(0);
    expect(await ledger(org.team).openReservations()).toBe(0);
  }, 60_000);

  it("an rpm limit stays exact across leases: never more, and no headroom left stranded in this isolate", async () => {
    const org = await createOrg({ rpm: 40 });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await chat(org.apiKey, ask(i));
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual(Array(10).fill(429));
    const calls = await ledger(org.team).rpcCounts();
    expect(calls.lease + calls.reserve).toBeLessThan(50);
  }, 60_000);

  it("parallel load over many leases never passes the rpm", async () => {
    const org = await createOrg({ rpm: 64 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => chat(org.apiKey, ask(i))));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeLessThanOrEqual(64);
    // At most one lease's share (1/8 of the headroom) can sit unused in a lease at any moment.
    expect(ok).toBeGreaterThanOrEqual(64 - 64 / 8);
    expect(results.filter((r) => r.status === 429).length).toBe(100 - ok);
    await Promise.all(results.map((r) => r.arrayBuffer()));
  }, 60_000);
});
