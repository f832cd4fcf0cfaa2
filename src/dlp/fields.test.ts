/**
 * @module
 * The field walkers under the real default policy: every field that reaches a provider is
 * scanned and redacted, what cannot be read as text is reported with its path, and untouched
 * values keep their identity (the common request is not copied).
 */
import { describe, expect, it } from "vitest";
import { applyDlp } from "./apply";
import { walkChatRequest, walkCompletion, walkEmbeddingsRequest, type FieldVisitor } from "./fields";
import { compileDlpPolicy } from "./policy";

const SSN = "536-90-4399";
const CARD = "4111 1111 1111 1111";
const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

/** A visitor over the default policy that records what it saw. */
function visitor() {
  const policy = compileDlpPolicy();
  const seen = { texts: 0, types: [] as string[], unscannable: [] as string[] };
  const v: FieldVisitor = {
    text(t) {
      seen.texts++;
      const r = applyDlp(policy, t);
      seen.types.push(...r.findings.map((f) => f.type));
      return r.findings.length ? r.redactedText : t;
    },
    unscannable(field, kind) {
      seen.unscannable.push(`${field}:${kind}`);
    },
  };
  return { v, seen };
}

describe("walkChatRequest", () => {
  it("redacts every field that reaches the provider", () => {
    const { v, seen } = visitor();
    const req = {
      model: "m",
      messages: [
        { role: "system", content: `policy ${SSN}` },
        { role: "user", name: `user ${SSN}`, content: [{ type: "text", text: `card ${CARD}` }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: JSON.stringify({ ssn: SSN }) } }],
          function_call: { name: "legacy", arguments: `{"card":"${CARD}"}` },
        },
        { role: "tool", tool_call_id: "call_1", content: `result ${SSN}` },
      ],
      tools: [{
        type: "function",
        function: {
          name: "lookup",
          description: `e.g. ${SSN}`,
          parameters: { type: "object", properties: { ssn: { type: "string", enum: [SSN], default: SSN, examples: [CARD] } } },
        },
      }],
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", description: `like ${CARD}` } } },
      user: `u ${SSN}`,
      metadata: { note: `n ${SSN}` },
      stop: [`stop ${SSN}`],
      vendor_extension: { deep: [`x ${CARD}`] },
      temperature: 0.5,
    };
    const out = walkChatRequest(req, v);
    const sent = JSON.stringify(out);
    expect(sent).not.toContain(SSN);
    expect(sent).not.toContain("4111");
    expect(sent).not.toContain("1111 1111");
    // Structure survives: JSON arguments stay JSON, the schema keeps its keywords.
    const assistant = (out.messages as unknown[])[2] as { tool_calls: Array<{ id: string; function: { arguments: string } }> };
    expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual({ ssn: "[US_SSN]" });
    expect(assistant.tool_calls[0].id).toBe("call_1");
    expect((out.tools as Array<{ function: { parameters: unknown } }>)[0].function.parameters).toEqual({
      type: "object",
      properties: { ssn: { type: "string", enum: ["[US_SSN]"], default: "[US_SSN]", examples: ["[CREDIT_CARD]"] } },
    });
    expect(out.temperature).toBe(0.5);
    expect(out.model).toBe("m");
    expect(new Set(seen.types)).toEqual(new Set(["US_SSN", "CREDIT_CARD"]));
    expect(seen.unscannable).toEqual([]);
    // The input is not mutated.
    expect(JSON.stringify(req)).toContain(SSN);
  });

  it("returns the same object for a clean text-only request, scanning each content once", () => {
    const { v, seen } = visitor();
    const req = { model: "m", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello there" }], stream: true };
    expect(walkChatRequest(req, v)).toBe(req);
    expect(seen.texts).toBe(2);
  });

  it("reports non-text parts with their path, still scans their text fields, and skips data URLs", () => {
    const { v, seen } = visitor();
    const dataUrl = `data:image/png;base64,${"A".repeat(64)}`;
    const req = {
      model: "m",
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: dataUrl, detail: "low" } },
          { type: "image_url", image_url: { url: `https://img.example/a.png?ssn=${SSN}` } },
          { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          { type: "file", file: { file_data: "JVBERi0=", filename: `scan ${SSN}.pdf` } },
          { type: `x ${SSN}`, data: "AAAA" },
        ],
      }],
    };
    const out = walkChatRequest(req, v);
    expect(seen.unscannable).toEqual([
      "messages[0].content[1]:image_url",
      "messages[0].content[2]:image_url",
      "messages[0].content[3]:input_audio",
      "messages[0].content[4]:file",
      // A client-chosen type is not echoed (it goes into errors and usage events).
      "messages[0].content[5]:unknown",
    ]);
    const parts = (out.messages as Array<{ content: Array<Record<string, Record<string, string>>> }>)[0].content;
    expect(parts[1].image_url.url).toBe(dataUrl);
    expect(parts[2].image_url.url).toBe("https://img.example/a.png?ssn=[US_SSN]");
    expect(parts[3].input_audio.data).toBe("UklGRg==");
    expect(parts[4].file.filename).toBe("scan [US_SSN].pdf");
  });

  it("scans unknown top-level field names and values, leaves plain structural keys alone", () => {
    const { v } = visitor();
    const out = walkChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], [`k ${SECRET}`]: 1, extra: { [SSN]: "v" } }, v);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(JSON.stringify(out)).not.toContain(SSN);
    expect(out.extra).toEqual({ "[US_SSN]": "v" });
  });
});

describe("walkEmbeddingsRequest", () => {
  it("redacts string inputs and reports token arrays as unscannable", () => {
    const { v, seen } = visitor();
    expect(walkEmbeddingsRequest({ model: "e", input: `a ${SSN}` }, v).input).toBe("a [US_SSN]");
    expect(walkEmbeddingsRequest({ model: "e", input: ["ok", `b ${SSN}`], user: `u ${SSN}` }, v)).toEqual({ model: "e", input: ["ok", "b [US_SSN]"], user: "u [US_SSN]" });
    const tokens = { model: "e", input: [[1, 2], [3]] };
    expect(walkEmbeddingsRequest(tokens, v)).toBe(tokens);
    walkEmbeddingsRequest({ model: "e", input: [5, 6] }, v);
    expect(seen.unscannable).toEqual(["input:tokens", "input:tokens"]);
  });
});

describe("walkCompletion", () => {
  it("redacts content, refusal, reasoning, tool calls and legacy function calls; drops logprobs of a changed choice", () => {
    const { v } = visitor();
    const completion = {
      id: "c",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: `x ${SSN}`,
            refusal: `no ${SSN}`,
            reasoning_content: `think ${CARD}`,
            reasoning: `why ${SSN}`,
            tool_calls: [{ id: "call_9", type: "function", function: { name: "f", arguments: `{"n":"${SSN}"}` } }],
            function_call: { name: "g", arguments: `{"c":"${CARD}"}` },
            audio: { id: "a1", data: "UklGRg==", transcript: `said ${SSN}` },
          },
          logprobs: { content: [{ token: "536", logprob: -1 }] },
          finish_reason: "stop",
        },
        { index: 1, message: { role: "assistant", content: "clean" }, logprobs: { content: [] }, finish_reason: "stop" },
      ],
    };
    const out = walkCompletion(completion, v);
    const text = JSON.stringify(out);
    expect(text).not.toContain(SSN);
    expect(text).not.toContain("1111 1111");
    const [first, second] = out.choices as Array<Record<string, unknown>>;
    expect(first.logprobs).toBeNull();
    expect((first.message as { audio: unknown }).audio).toEqual({ id: "a1", data: "UklGRg==", transcript: "said [US_SSN]" });
    expect(second).toBe(completion.choices[1]);
  });

  it("returns the same completion when nothing is found", () => {
    const { v } = visitor();
    const completion = { choices: [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }] };
    expect(walkCompletion(completion, v)).toBe(completion);
  });
});
