import { describe, expect, it } from "vitest";
import type { AttemptFailure } from "../providers/execute";
import type { ProviderRuntime } from "../providers/types";
import { backoffDelay, runWithFallback } from "./fallback";
import type { PlannedTarget } from "./plan";
import { DEFAULT_RETRY } from "./rules";

const target = (id: string, timeout_ms?: number): PlannedTarget => ({
  target: { provider: id, model: `${id}-m`, ...(timeout_ms ? { timeout_ms } : {}) },
  provider: { id, type: "simulated", region: "us", options: {}, faults: { mode: "none" } } as ProviderRuntime,
});
const status = (s: number, retryAfterMs?: number): AttemptFailure => ({ kind: "status", status: s, retryable: s === 429 || s >= 500, retryAfterMs, error: { message: `${s}`, type: "x", code: null } });
const timeout: AttemptFailure = { kind: "timeout", retryable: true, error: { message: "t", type: "timeout_error", code: "upstream_timeout" } };

/** A virtual clock: sleeps advance it, attempts may too. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms), sleeps: [] as number[] };
}

describe("backoffDelay", () => {
  it("is full jitter under an exponential cap", () => {
    const p = { ...DEFAULT_RETRY, backoff_base_ms: 100, backoff_max_ms: 300 };
    expect(backoffDelay(0, p, () => 1)).toBe(100);
    expect(backoffDelay(1, p, () => 1)).toBe(200);
    expect(backoffDelay(5, p, () => 1)).toBe(300);
    expect(backoffDelay(2, p, () => 0.5)).toBe(150);
  });
  it("honours retry-after within the bound and refuses longer waits", () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.5, 1500)).toBe(1500);
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.5, 5000)).toBeUndefined();
  });
});

describe("runWithFallback", () => {
  it("retries a 503 on the same target after a backoff, then succeeds", async () => {
    const c = clock();
    const calls: string[] = [];
    const r = await runWithFallback([target("a"), target("b")], async (t) => {
      calls.push(t.provider.id);
      return calls.length === 1 ? { ok: false, failure: status(503) } : { ok: true, value: "hi" };
    }, { now: c.now, sleep: c.sleep, random: () => 1 });
    expect(r.ok).toBe(true);
    expect(calls).toEqual(["a", "a"]);
    expect(c.now()).toBe(DEFAULT_RETRY.backoff_base_ms);
  });

  it("waits for retry-after when bounded, moves on when it is too long", async () => {
    const c = clock();
    const calls: string[] = [];
    await runWithFallback([target("a"), target("b")], async (t) => {
      calls.push(t.provider.id);
      return calls.length === 1 ? { ok: false, failure: status(429, 700) } : { ok: true, value: 1 };
    }, { now: c.now, sleep: c.sleep });
    expect(calls).toEqual(["a", "a"]);
    expect(c.now()).toBe(700);
    const calls2: string[] = [];
    await runWithFallback([target("a"), target("b")], async (t) => {
      calls2.push(t.provider.id);
      return t.provider.id === "a" ? { ok: false, failure: status(429, 30_000) } : { ok: true, value: 1 };
    }, { now: c.now, sleep: c.sleep });
    expect(calls2).toEqual(["a", "b"]);
  });

  it("never retries a timed-out target: next target at once", async () => {
    const calls: string[] = [];
    const r = await runWithFallback([target("a"), target("b")], async (t) => {
      calls.push(t.provider.id);
      return t.provider.id === "a" ? { ok: false, failure: timeout } : { ok: true, value: 1 };
    });
    expect(calls).toEqual(["a", "b"]);
    expect(r.ok && r.tried.map((x) => x.provider)).toEqual(["a"]);
  });

  it("stops at a non-retryable 4xx", async () => {
    const calls: string[] = [];
    const r = await runWithFallback([target("a"), target("b")], async (t) => (calls.push(t.provider.id), { ok: false, failure: status(400) }));
    expect(calls).toEqual(["a"]);
    expect(r.ok).toBe(false);
  });

  it("enforces the total deadline and shrinks the last attempt's timeout to fit", async () => {
    const c = clock();
    const timeouts: number[] = [];
    const r = await runWithFallback([target("a", 700), target("b", 700), target("c", 700)], async (_t, { timeoutMs }) => {
      timeouts.push(timeoutMs);
      c.advance(timeoutMs);
      return { ok: false, failure: timeout };
    }, { now: c.now, sleep: c.sleep, retry: { ...DEFAULT_RETRY, deadline_ms: 1000 } });
    expect(timeouts).toEqual([700, 300]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.deadlineExceeded).toBe(true);
  });

  it("caps the attempts over all targets", async () => {
    let n = 0;
    await runWithFallback([target("a"), target("b"), target("c")], async () => (n++, { ok: false, failure: status(500) }), { sleep: async () => {}, retry: { ...DEFAULT_RETRY, max_attempts: 4 } });
    expect(n).toBe(4);
  });

  it("reports every attempt to onAttempt", async () => {
    const seen: Array<[string, boolean]> = [];
    await runWithFallback([target("a"), target("b")], async (t) => (t.provider.id === "a" ? { ok: false, failure: timeout } : { ok: true, value: 1 }), {
      onAttempt: (t, ok) => seen.push([t.provider.id, ok]),
    });
    expect(seen).toEqual([["a", false], ["b", true]]);
  });
});

describe("runWithFallback with hedging", () => {
  const ok = <T>(value: T) => ({ ok: true as const, value });
  /** An attempt that answers only when aborted (a hanging host), reporting the abort. */
  const hanging = (signal: AbortSignal | undefined, onAbort: () => void) =>
    new Promise<{ ok: false; failure: AttemptFailure }>((resolve) =>
      signal?.addEventListener("abort", () => (onAbort(), resolve({ ok: false, failure: { kind: "connection", retryable: true, error: { message: "aborted", type: "x", code: null } } })), { once: true }),
    );
  const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("starts the next target once the first is past its slow mark, keeps the first answer and aborts the other", async () => {
    let aborted = false;
    const seen: Array<[string, boolean]> = [];
    const r = await runWithFallback([target("a"), target("b")], async (t, { signal }) => (t.provider.id === "a" ? hanging(signal, () => (aborted = true)) : ok("from b")), {
      hedgeAfterMs: () => 10,
      onAttempt: (t, good) => seen.push([t.provider.id, good]),
    });
    expect(r.ok && r.value).toBe("from b");
    expect(r.ok && r.target.provider.id).toBe("b");
    expect(r.ok && r.hedgeLoser?.provider.id).toBe("a");
    expect(aborted).toBe(true);
    // a lost the race: slower than its p95 with nothing to show, which health hears as a failure.
    expect(seen).toEqual([["b", true], ["a", false]]);
  });

  it("does not hedge a target that answers before its slow mark", async () => {
    const calls: string[] = [];
    const r = await runWithFallback([target("a"), target("b")], async (t) => (calls.push(t.provider.id), ok(t.provider.id)), { hedgeAfterMs: () => 50 });
    expect(r.ok && r.value).toBe("a");
    expect(r.ok && r.hedgeLoser).toBeUndefined();
    expect(calls).toEqual(["a"]);
  });

  it("gives back a success that arrives after the race was decided", async () => {
    const discarded: string[] = [];
    const r = await runWithFallback([target("a"), target("b")], async (t) => (t.provider.id === "a" ? (await later(40), ok("late a")) : ok("b")), {
      hedgeAfterMs: () => 5,
      discard: (v) => discarded.push(v),
    });
    expect(r.ok && r.value).toBe("b");
    await later(60);
    expect(discarded).toEqual(["late a"]);
  });

  it("moves on to the third target when both hedged attempts fail, listing both", async () => {
    const calls: string[] = [];
    const r = await runWithFallback([target("a"), target("b"), target("c")], async (t) => {
      calls.push(t.provider.id);
      if (t.provider.id === "a") return (await later(30), { ok: false, failure: timeout });
      if (t.provider.id === "b") return { ok: false, failure: timeout };
      return ok("c");
    }, { hedgeAfterMs: () => 5 });
    expect(calls).toEqual(["a", "b", "c"]);
    expect(r.ok && r.value).toBe("c");
    expect(r.ok && r.tried.map((x) => x.provider).sort()).toEqual(["a", "b"]);
  });

  it("waits for the primary when the hedge fails first", async () => {
    const r = await runWithFallback([target("a"), target("b")], async (t) => (t.provider.id === "a" ? (await later(30), ok("a")) : { ok: false, failure: status(503) }), { hedgeAfterMs: () => 5 });
    expect(r.ok && r.value).toBe("a");
    expect(r.ok && r.tried.map((x) => x.provider)).toEqual(["b"]);
  });
});
