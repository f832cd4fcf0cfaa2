import { describe, expect, it } from "vitest";
import { clientRequestId, gatewayRequestId } from "./request-id";

describe("gatewayRequestId", () => {
  it("is a UUIDv7 carrying the time", () => {
    const id = gatewayRequestId(Date.UTC(2026, 11, 2, 8, 0, 0));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 2, 8, 0, 0));
  });
  it("never repeats and sorts by time", () => {
    const ids = Array.from({ length: 2000 }, () => gatewayRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(gatewayRequestId(1000) < gatewayRequestId(2000)).toBe(true);
  });
});

describe("clientRequestId", () => {
  it("keeps header-safe ids and drops the rest", () => {
    expect(clientRequestId("job-42:a.b_c")).toBe("job-42:a.b_c");
    expect(clientRequestId("a b")).toBeUndefined();
    expect(clientRequestId("x".repeat(129))).toBeUndefined();
    expect(clientRequestId(null)).toBeUndefined();
  });
});
