import { describe, expect, it } from "vitest";
import { actOf, chainOf, validateChain, type DelegationRules } from "./chain";

const rules: Record<string, DelegationRules> = {
  a: { may_delegate_to: ["b", "x"] },
  b: { may_delegate_to: ["c", "a"] },
  c: { may_delegate_to: ["d"] },
  d: { may_delegate_to: ["e"] },
  e: { may_delegate_to: ["f"] },
  f: { may_delegate_to: ["g"] },
  g: { may_delegate_to: [] },
  x: { may_delegate_to: ["b"], max_delegation_depth: 1 },
};
const of = (id: string) => rules[id];

describe("chains", () => {
  it("round-trips nested act claims", () => {
    const act = actOf(["a", "b", "c"]);
    expect(act).toEqual({ sub: "c", act: { sub: "b" } });
    expect(chainOf("a", act)).toEqual(["a", "b", "c"]);
    expect(actOf(["a"])).toBeUndefined();
  });

  it("accepts authorized hops and reports depth", () => {
    expect(validateChain(["a"], of)).toEqual({ ok: true, depth: 0 });
    expect(validateChain(["a", "b", "c"], of)).toEqual({ ok: true, depth: 2 });
  });

  it("refuses cycles", () => {
    expect(validateChain(["a", "b", "a"], of)).toMatchObject({ ok: false, reason: "cycle" });
  });

  it("refuses depth over the default limit of 5 and over an agent's own limit", () => {
    expect(validateChain(["a", "b", "c", "d", "e", "f"], of)).toMatchObject({ ok: true, depth: 5 });
    const deeper = { ...rules, g: { may_delegate_to: ["h"] }, h: { may_delegate_to: [] } };
    expect(validateChain(["a", "b", "c", "d", "e", "f", "g"], (id) => deeper[id as keyof typeof deeper])).toMatchObject({ ok: false, reason: "depth_exceeded" });
    expect(validateChain(["a", "x", "b"], of)).toMatchObject({ ok: false, reason: "depth_exceeded" });
  });

  it("refuses unregistered agents and unauthorized hops", () => {
    expect(validateChain(["a", "zz"], of)).toMatchObject({ ok: false, reason: "unregistered" });
    expect(validateChain(["a", "c"], of)).toMatchObject({ ok: false, reason: "not_authorized" });
  });

  it("refuses a hop into another team unless the callee consented to the caller's team (or the caller)", () => {
    const teams: Record<string, DelegationRules> = {
      a: { team: "t1", may_delegate_to: ["b", "c", "d"] },
      b: { team: "t2", may_delegate_to: [] },
      c: { team: "t2", may_delegate_to: [], accepts_delegation_from: [{ team: "t1" }] },
      d: { team: "t2", may_delegate_to: [], accepts_delegation_from: [{ team: "t1", agent: "other" }] },
      s: { team: "t1", may_delegate_to: ["a"] },
    };
    const t = (id: string) => teams[id];
    expect(validateChain(["a", "b"], t)).toMatchObject({ ok: false, reason: "not_authorized", message: expect.stringContaining("consented") });
    expect(validateChain(["a", "c"], t)).toEqual({ ok: true, depth: 1 });
    expect(validateChain(["a", "d"], t)).toMatchObject({ ok: false, reason: "not_authorized" });
    expect(validateChain(["s", "a"], t)).toEqual({ ok: true, depth: 1 });
  });

  it("stops walking absurdly nested act claims", () => {
    let act: { sub: string; act?: unknown } | undefined;
    for (let i = 0; i < 1000; i++) act = { sub: `n${i}`, act };
    expect(chainOf("a", act as never).length).toBeLessThan(30);
  });
});
