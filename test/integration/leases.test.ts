import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk, chat, createOrg, eventually } from "./helpers";

interface BudgetView { spent_usd: number; reserved_usd: number }

const ask = (i: number) => ({ model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content: `lease ${i}` }] });
const ledger = (team: string) => env.TEAM_BUDGET.get(env.TEAM_BUDGET.idFromName(team));
/** Sleeps until this worker's clock reads `at` (epoch ms); the gateway runs on the same clock. */
const until = async (at: number) => {
  while (Date.now() < at) await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, at - Date.now()))));
};
const ok200 = async (r: Response) => {
  expect(r.status).toBe(200);
  await r.arrayBuffer();
};

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

  it("a lease fetched ahead of time admits the first request of the next second without a Durable Object call", async () => {
    const org = await createOrg({ rpm: 100_000 });
    let admittedFromAhead = false;
    // A slow moment on a shared machine can push a step past its second: then try the next one.
    for (let attempt = 0; attempt < 4 && !admittedFromAhead; attempt++) {
      const sec = Math.floor(Date.now() / 1000) + 1;
      await until(sec * 1000 + 20);
      await ok200(await chat(org.apiKey, ask(1)));
      // Late in the second the lease has admitted two: the next second's lease is fetched in the background.
      await until(sec * 1000 + 760);
      const before = await ledger(org.team).rpcCounts();
      await ok200(await chat(org.apiKey, ask(2)));
      const fetched = await eventually(async () => {
        const c = await ledger(org.team).rpcCounts();
        return c.lease > before.lease ? c : undefined;
      }, 2000).catch(() => undefined);
      if (!fetched || Date.now() >= (sec + 1) * 1000) continue;
      // The first request of the next second: admitted from that lease, no lease or reserve call.
      await until((sec + 1) * 1000 + 20);
      const atBoundary = await ledger(org.team).rpcCounts();
      await ok200(await chat(org.apiKey, ask(3)));
      const after = await ledger(org.team).rpcCounts();
      if (Math.floor(Date.now() / 1000) !== sec + 1) continue;
      expect(after.lease + after.reserve).toBe(atBoundary.lease + atBoundary.reserve);
      admittedFromAhead = true;
    }
    expect(admittedFromAhead).toBe(true);
    // Unused parts of both leases go back: nothing stays reserved.
    await eventually(async () => ((await ledger(org.team).openReservations()) === 0 ? true : undefined));
  }, 60_000);

  it("the rpm stays exact across a second boundary under concurrent requests with leases fetched ahead", async () => {
    const rpm = 30;
    const org = await createOrg({ rpm });
    const sec = Math.floor(Date.now() / 1000) + 1;
    // Late in one second, and early in the next: leases of both seconds, some fetched ahead.
    await until(sec * 1000 + 650);
    const late = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(org.apiKey, ask(i))));
    await until((sec + 1) * 1000 + 10);
    const early = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(org.apiKey, ask(100 + i))));
    const statuses = [...late, ...early].map((r) => r.status);
    await Promise.all([...late, ...early].map((r) => r.arrayBuffer()));
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeLessThanOrEqual(rpm);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Once every lease is settled (unused requests returned), one by one the rest of the rpm is
    // admitted and then no more: none lost in a lease, none counted twice.
    await eventually(async () => ((await ledger(org.team).openReservations()) === 0 ? true : undefined));
    let more = 0;
    for (let i = 0; i < rpm - admitted + 3; i++) {
      const r = await chat(org.apiKey, ask(200 + i));
      if (r.status === 200) more++;
      else expect(r.status).toBe(429);
      await r.arrayBuffer();
    }
    expect(admitted + more).toBe(rpm);
  }, 60_000);
});
