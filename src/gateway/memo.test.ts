import { describe, expect, it } from "vitest";
import { sha256Hex } from "../config/secrets";
import { GatewayError } from "../errors/openai";
import { apiKeyHash } from "./context";
import { BoundedMap } from "./memo";

describe("BoundedMap", () => {
  it("keeps at most max entries, forgetting the oldest insertion first", () => {
    const m = new BoundedMap<string, number>(3);
    for (const [k, v] of [["a", 1], ["b", 2], ["c", 3]] as const) m.set(k, v);
    expect(m.size).toBe(3);
    m.set("d", 4);
    expect(m.size).toBe(3);
    expect(m.get("a")).toBeUndefined();
    expect([m.get("b"), m.get("c"), m.get("d")]).toEqual([2, 3, 4]);
    m.set("e", 5);
    expect(m.get("b")).toBeUndefined();
    expect(m.get("c")).toBe(3);
  });

  it("overwrites an existing key in place without evicting anything", () => {
    const m = new BoundedMap<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    m.set("a", 10);
    expect(m.size).toBe(2);
    expect([m.get("a"), m.get("b")]).toEqual([10, 2]);
  });
});

describe("apiKeyHash", () => {
  const req = (authorization?: string) => new Request("https://gw.test/v1/models", { headers: authorization ? { authorization } : {} });

  it("is the SHA-256 of the bearer key, the same on a remembered second call", async () => {
    const key = `sk-sy-${crypto.randomUUID()}`;
    const expected = await sha256Hex(key);
    expect(await apiKeyHash(req(`Bearer ${key}`))).toBe(expected);
    expect(await apiKeyHash(req(`Bearer ${key}`))).toBe(expected);
    const other = `sk-sy-${crypto.randomUUID()}`;
    expect(await apiKeyHash(req(`Bearer ${other}`))).toBe(await sha256Hex(other));
  });

  it("hashes long tokens too (they are just not remembered)", async () => {
    const long = "x".repeat(300);
    expect(await apiKeyHash(req(`Bearer ${long}`))).toBe(await sha256Hex(long));
  });

  it("rejects with the 401 when there is no bearer key", async () => {
    await expect(apiKeyHash(req())).rejects.toBeInstanceOf(GatewayError);
    await expect(apiKeyHash(req("Basic dXNlcjpwYXNz"))).rejects.toMatchObject({ status: 401 });
  });
});
