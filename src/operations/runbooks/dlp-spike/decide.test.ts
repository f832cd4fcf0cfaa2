import { describe, expect, it } from "vitest";
import { dlpSpikes } from "./decide";

const row = (o: Partial<Parameters<typeof dlpSpikes>[0][number]>) => ({
  workload: "w", team: "t", recentRequests: 20, recentFindings: 1, recentBlocks: 0, baseRequests: 200, baseFindings: 10, baseBlocks: 0, ...o,
});

describe("DLP spike", () => {
  it("flags findings per request far above the workload's baseline", () => {
    expect(dlpSpikes([row({ recentFindings: 12 })])).toEqual([{ workload: "w", team: "t", metric: "findings", recent_rate: 0.6, baseline_rate: 0.05, recent_requests: 20 }]);
  });
  it("flags a jump in blocks even when findings stay level", () => {
    expect(dlpSpikes([row({ recentFindings: 1, recentBlocks: 8 })])[0]?.metric).toBe("blocks");
  });
  it("ignores normal rates, small samples and workloads without a baseline", () => {
    expect(dlpSpikes([row({ recentFindings: 2 })])).toEqual([]);
    expect(dlpSpikes([row({ recentRequests: 5, recentFindings: 5 })])).toEqual([]);
    expect(dlpSpikes([row({ baseRequests: 3, recentFindings: 20 })])).toEqual([]);
  });
});
