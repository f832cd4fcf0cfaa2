import { describe, expect, it } from "vitest";
import { SingleFlight } from "./single-flight";

const never = <T>() => new Promise<T>(() => {});

describe("SingleFlight", () => {
  it("shares one running flight between concurrent callers", async () => {
    const flights = new SingleFlight<number>(10_000);
    let starts = 0;
    let release!: (v: number) => void;
    const start = () => (starts++, new Promise<number>((r) => (release = r)));
    const a = flights.run(start);
    const b = flights.run(start);
    expect(flights.busy).toBe(true);
    release(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    expect(starts).toBe(1);
    expect(flights.busy).toBe(false);
  });

  it("starts a fresh flight once the previous one settled", async () => {
    const flights = new SingleFlight<number>(10_000);
    let n = 0;
    expect(await flights.run(async () => ++n)).toBe(1);
    expect(await flights.run(async () => ++n)).toBe(2);
  });

  it("a caller waiting on a flight that never settles (its request was cancelled) gives up at the deadline and loads itself", async () => {
    const flights = new SingleFlight<string>(30);
    void flights.run(never);
    const waiter = flights.run(async () => "own load");
    expect(await waiter).toBe("own load");
  });

  it("an abandoned flight does not keep the refresh guard shut", async () => {
    let now = 0;
    const flights = new SingleFlight<string>(1_000, () => now);
    void flights.run(never);
    expect(flights.busy).toBe(true);
    now = 999;
    expect(flights.busy).toBe(true);
    now = 1_000;
    expect(flights.busy).toBe(false);
    expect(await flights.run(async () => "fresh")).toBe("fresh");
  });

  it("passes a failure to every caller and lets the next one retry", async () => {
    const flights = new SingleFlight<number>(10_000);
    let reject!: (e: Error) => void;
    const a = flights.run(() => new Promise<number>((_, r) => (reject = r)));
    const b = flights.run(async () => 1);
    reject(new Error("d1 down"));
    await expect(a).rejects.toThrow("d1 down");
    await expect(b).rejects.toThrow("d1 down");
    expect(await flights.run(async () => 2)).toBe(2);
  });
});
