import { describe, expect, it } from "vitest";
import { newerVersion, parseModelVersion } from "./model-versions";

describe("model version ordering on real naming schemes", () => {
  it("OpenAI dated snapshots", () => {
    expect(parseModelVersion("gpt-4o-mini-2024-07-18")).toEqual({ family: "gpt-4o-mini", scheme: "date", rank: 20240718 });
    const listed = ["gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o-2024-11-20", "gpt-4o-mini-2026-10-01", "gpt-4o-mini-2025-03-01"];
    expect(newerVersion("gpt-4o-mini-2024-07-18", listed)).toBe("gpt-4o-mini-2026-10-01");
    // gpt-4o is another family even though its name is a prefix.
    expect(newerVersion("gpt-4o-2024-08-06", listed)).toBe("gpt-4o-2024-11-20");
    expect(newerVersion("gpt-4o-mini-2026-10-01", listed)).toBeUndefined();
    expect(newerVersion("o1-2024-12-17", ["o1", "o1-2025-01-31", "o1-mini-2025-02-01"])).toBe("o1-2025-01-31");
  });
  it("OpenAI's year-less -MMDD names are left unordered (0125 came after 1106)", () => {
    expect(parseModelVersion("gpt-3.5-turbo-0125")).toBeUndefined();
    expect(newerVersion("gpt-3.5-turbo-1106", ["gpt-3.5-turbo-0125", "gpt-3.5-turbo-0613"])).toBeUndefined();
    expect(newerVersion("gpt-4-0613", ["gpt-4-1106-preview", "gpt-4-0314"])).toBeUndefined();
  });
  it("Anthropic claude-x-y-YYYYMMDD, never across generations", () => {
    expect(parseModelVersion("claude-3-5-sonnet-20241022")).toEqual({ family: "claude-3-5-sonnet", scheme: "date", rank: 20241022 });
    const listed = ["claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "claude-3-5-sonnet-latest", "claude-sonnet-4-20250514"];
    expect(newerVersion("claude-3-5-sonnet-20240620", listed)).toBe("claude-3-5-sonnet-20241022");
    expect(newerVersion("claude-3-5-sonnet-20241022", listed)).toBeUndefined();
    expect(newerVersion("claude-3-5-haiku-20241022", listed)).toBeUndefined();
  });
  it("Mistral -YYMM and -latest", () => {
    expect(parseModelVersion("mistral-large-2411")).toEqual({ family: "mistral-large", scheme: "date", rank: 20241101 });
    expect(parseModelVersion("mistral-large-latest")).toBeUndefined();
    const listed = ["mistral-large-2402", "mistral-large-2407", "mistral-large-2411", "mistral-large-latest", "mistral-small-2501"];
    expect(newerVersion("mistral-large-2407", listed)).toBe("mistral-large-2411");
    expect(newerVersion("mistral-large-latest", listed)).toBeUndefined();
    expect(newerVersion("mistral-small-2409", listed)).toBe("mistral-small-2501");
  });
  it("Gemini -001/-002 revisions", () => {
    expect(parseModelVersion("gemini-1.5-pro-002")).toEqual({ family: "gemini-1.5-pro", scheme: "seq", rank: 2 });
    const listed = ["gemini-1.5-pro-001", "gemini-1.5-pro-002", "gemini-1.5-pro-latest", "gemini-1.5-flash-002", "gemini-2.0-flash-001"];
    expect(newerVersion("gemini-1.5-pro-001", listed)).toBe("gemini-1.5-pro-002");
    expect(newerVersion("gemini-1.5-flash-001", listed)).toBe("gemini-1.5-flash-002");
    expect(newerVersion("gemini-1.5-pro-latest", listed)).toBeUndefined();
  });
  it("aliases and names without a version have nothing to upgrade; invalid dates are not versions", () => {
    expect(newerVersion("sim-1", ["sim-2"])).toBeUndefined();
    expect(parseModelVersion("model-2024-13-01")).toBeUndefined();
    expect(parseModelVersion("model-20241340")).toBeUndefined();
  });
});
