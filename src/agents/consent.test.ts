import { describe, expect, it } from "vitest";
import { acceptsDelegation, grantRefusal } from "./consent";

const servers = new Map([
  ["own", { team: "a", shared_with: [] }],
  ["shared", { team: "b", shared_with: ["a"] }],
  ["private", { team: "b", shared_with: [] }],
  ["everyone", { team: "b", shared_with: ["*"] }],
  ["org", { shared_with: [] }],
]);

describe("grantRefusal", () => {
  it("allows own and shared servers, refuses the rest for team owners, never for admins", () => {
    const ok = [{ server: "own", tool: "*" }, { server: "shared", tool: "q" }, { server: "everyone", tool: "q" }];
    expect(grantRefusal({ team: "a", grants: ok, held: [], servers, isAdmin: false })).toBeNull();
    const bad = [...ok, { server: "private", tool: "*" }];
    expect(grantRefusal({ team: "a", grants: bad, held: [], servers, isAdmin: false })).toMatchObject({ index: 3, message: expect.stringContaining("team b") });
    expect(grantRefusal({ team: "a", grants: [{ server: "org", tool: "q" }], held: [], servers, isAdmin: false })?.message).toContain("no owner team");
    expect(grantRefusal({ team: "a", grants: bad, held: [], servers, isAdmin: true })).toBeNull();
  });

  it("keeps a grant the agent already holds (authorized when it was written)", () => {
    const held = [{ server: "private", tool: "*" }];
    expect(grantRefusal({ team: "a", grants: held, held, servers, isAdmin: false })).toBeNull();
    expect(grantRefusal({ team: "a", grants: [{ server: "private", tool: "other" }], held, servers, isAdmin: false })).not.toBeNull();
  });
});

describe("acceptsDelegation", () => {
  it("admits a caller's team, or only the named caller", () => {
    expect(acceptsDelegation([{ team: "a" }], { id: "x", team: "a" })).toBe(true);
    expect(acceptsDelegation([{ team: "a", agent: "y" }], { id: "x", team: "a" })).toBe(false);
    expect(acceptsDelegation([{ team: "a", agent: "x" }], { id: "x", team: "a" })).toBe(true);
    expect(acceptsDelegation(undefined, { id: "x", team: "a" })).toBe(false);
  });
});
