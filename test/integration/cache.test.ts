import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminOk, chat, createOrg, eventually } from "./helpers";

const q = (content: string, extra: Record<string, unknown> = {}) => ({ model: "sim-chat", max_tokens: 12, messages: [{ role: "user", content }], ...extra });

let workloads = 0;
/** Another workload (with its own key) in an existing team. */
async function addWorkload(team: string, extra: Record<string, unknown>): Promise<{ workload: string; apiKey: string }> {
  const workload = `wl-extra-${Date.now().toString(36)}${(workloads++).toString(36)}`;
  await adminOk("PUT", `/workloads/${workload}`, { team, default_data_class: "public", allowed_models: ["sim-chat", "sim-embed"], lifecycle: "production", ...extra });
  return { workload, apiKey: (await adminOk<{ api_key: string }>("POST", "/keys", { workload })).api_key };
}

type Completion = { choices: Array<{ message: { content: string } }> };

/** A word of the simulated answer to `prompt` that the prompt itself does not contain. */
async function answerWord(apiKey: string, prompt: string): Promise<string> {
  const content = (await (await chat(apiKey, q(prompt), { "x-cache": "bypass" })).json<Completion>()).choices[0].message.content;
  const word = content.split(/\s+/).find((w) => w.length > 3 && !prompt.toLowerCase().includes(w));
  if (!word) throw new Error(`no usable word in ${content}`);
  return word;
}

/** The assistant's text of a JSON answer, or of an SSE stream (its content deltas joined). */
function answerText(body: string, stream: boolean): string {
  if (!stream) return (JSON.parse(body) as Completion).choices[0].message.content;
  return body
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => (JSON.parse(l.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/** Sends until the answer is a hit (stores happen in waitUntil, after the first response). */
async function untilHit(apiKey: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return eventually(async () => {
    const r = await chat(apiKey, body, headers);
    if (r.headers.get("x-switchyard-cache") === "hit") return r;
    await r.arrayBuffer();
    return undefined;
  });
}

function sseContent(text: string): string {
  return text.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)))
    .flatMap((c: { choices: Array<{ delta: { content?: string } }> }) => c.choices.map((ch) => ch.delta.content ?? "")).join("");
}

describe("response cache", () => {
  it("exact: a miss stores, a repeat hits, and a hit costs nothing", async () => {
    const org = await createOrg({ cache: { mode: "exact", ttl_s: 600 } });
    const prompt = `exact ${org.team}`;
    const first = await chat(org.apiKey, q(prompt), { "x-request-id": `miss-${org.team}` });
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const body = await first.json<{ choices: Array<{ message: { content: string } }> }>();
    const hit = await untilHit(org.apiKey, q(prompt), { "x-request-id": `hit-${org.team}` });
    expect((await hit.json<typeof body>()).choices[0].message.content).toBe(body.choices[0].message.content);
    const row = await eventually(() => env.DB.prepare("SELECT cache, cost_nusd FROM usage_events WHERE client_request_id = ?").bind(`hit-${org.team}`).first<{ cache: string; cost_nusd: number }>());
    expect(row).toEqual({ cache: "hit", cost_nusd: 0 });
    const misses = await env.DB.prepare("SELECT COALESCE(SUM(cost_nusd),0) AS s FROM usage_events WHERE team = ? AND cache = 'miss'").bind(org.team).first<{ s: number }>();
    const budget = await eventually(async () => {
      const v = await adminOk<{ spent_usd: number; reserved_usd: number }>("GET", `/teams/${org.team}/budget`);
      return v.reserved_usd === 0 ? v : undefined;
    });
    expect(Math.round(budget.spent_usd * 1e9)).toBe(misses!.s);
  }, 60_000);

  it("x-cache: bypass skips the cache; different parameters miss", async () => {
    const org = await createOrg({ cache: { mode: "exact" } });
    const prompt = `bypass ${org.team}`;
    await (await chat(org.apiKey, q(prompt))).arrayBuffer();
    await (await untilHit(org.apiKey, q(prompt))).arrayBuffer();
    const bypass = await chat(org.apiKey, q(prompt), { "x-cache": "bypass" });
    expect(bypass.headers.get("x-switchyard-cache")).toBe("bypass");
    const other = await chat(org.apiKey, q(prompt, { temperature: 0.3 }));
    expect(other.headers.get("x-switchyard-cache")).toBe("miss");
    await Promise.all([bypass.arrayBuffer(), other.arrayBuffer()]);
  }, 60_000);

  it("streaming requests are served from cache as SSE, and streamed misses are stored", async () => {
    const org = await createOrg({ cache: { mode: "exact" } });
    const prompt = `stream ${org.team}`;
    const json = await (await chat(org.apiKey, q(prompt))).json<{ choices: Array<{ message: { content: string } }> }>();
    const replay = await untilHit(org.apiKey, q(prompt, { stream: true, stream_options: { include_usage: true } }));
    expect(replay.headers.get("content-type")).toContain("text/event-stream");
    const text = await replay.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(sseContent(text)).toBe(json.choices[0].message.content);
    expect(text).toContain('"usage"');
    // A streamed miss is stored and answers a later JSON request.
    const prompt2 = `stream-first ${org.team}`;
    const streamed = sseContent(await (await chat(org.apiKey, q(prompt2, { stream: true }))).text());
    const hit = await untilHit(org.apiKey, q(prompt2));
    expect((await hit.json<typeof json>()).choices[0].message.content).toBe(streamed);
  }, 60_000);

  it("entries never cross teams, public ones included; a team's workloads share only by opt-in", async () => {
    for (const dataClass of ["internal", "public"] as const) {
      const a = await createOrg({ dataClass, cache: { mode: "exact" } });
      const b = await createOrg({ dataClass, cache: { mode: "exact" } });
      const prompt = `shared ${dataClass} question`;
      await (await chat(a.apiKey, q(prompt))).arrayBuffer();
      await (await untilHit(a.apiKey, q(prompt))).arrayBuffer();
      const other = await chat(b.apiKey, q(prompt));
      expect(other.headers.get("x-switchyard-cache")).toBe("miss");
      await other.arrayBuffer();
    }
    // Same team, default scope: each workload has its own entries.
    const org = await createOrg({ cache: { mode: "exact" } });
    const own = await addWorkload(org.team, { cache: { mode: "exact" } });
    const prompt = `team question ${org.team}`;
    await (await chat(org.apiKey, q(prompt))).arrayBuffer();
    await (await untilHit(org.apiKey, q(prompt))).arrayBuffer();
    const sibling = await chat(own.apiKey, q(prompt));
    expect(sibling.headers.get("x-switchyard-cache")).toBe("miss");
    await sibling.arrayBuffer();
    // "scope":"team" on both: they share.
    const t1 = await addWorkload(org.team, { cache: { mode: "exact", scope: "team" } });
    const t2 = await addWorkload(org.team, { cache: { mode: "exact", scope: "team" } });
    await (await chat(t1.apiKey, q(`opt-in ${prompt}`))).arrayBuffer();
    await (await untilHit(t2.apiKey, q(`opt-in ${prompt}`))).arrayBuffer();
  }, 60_000);

  it("a lax workload's cached answer never reaches a stricter workload of the same team unredacted (16.2)", async () => {
    const org = await createOrg({ cache: { mode: "exact" } });
    const prompt = `policy question ${org.team}`;
    const word = await answerWord(org.apiKey, prompt);
    // The lax workload (default policy) caches an answer containing `word`.
    await (await chat(org.apiKey, q(prompt))).arrayBuffer();
    const laxHit = await (await untilHit(org.apiKey, q(prompt))).text();
    expect(laxHit).toContain(word);
    // A workload of the same team whose policy treats `word` as sensitive asks the same thing,
    // in JSON and as a stream, by default scope and by team opt-in.
    const custom = [{ type: "SECRET_WORD", pattern: `\\b${word}\\b`, action: "redact" }];
    for (const scope of ["workload", "team"] as const) {
      const strict = await addWorkload(org.team, { cache: { mode: "exact", scope }, dlp: { custom } });
      for (const extra of [{}, { stream: true }, {}]) {
        const r = await chat(strict.apiKey, q(prompt, extra));
        expect(r.status).toBe(200);
        // The answer's text, not the wire: a word such as "data" is also in every SSE frame.
        const text = answerText(await r.text(), "stream" in extra);
        expect(text).not.toMatch(new RegExp(`\\b${word}\\b`));
        expect(text).toContain("[SECRET_WORD]");
      }
    }
  }, 60_000);

  it("a hit is served and logged at the class response DLP raised its answer to", async () => {
    const org = await createOrg();
    const prompt = `raise question ${org.team}`;
    const word = await answerWord(org.apiKey, prompt);
    const raising = await addWorkload(org.team, {
      cache: { mode: "exact" },
      dlp: { custom: [{ type: "PROJECT_WORD", pattern: `\\b${word}\\b`, action: { action: "raise", to: "internal" } }] },
    });
    const miss = await chat(raising.apiKey, q(prompt));
    expect(miss.headers.get("x-switchyard-data-class")).toBe("internal");
    await miss.arrayBuffer();
    const hit = await untilHit(raising.apiKey, q(prompt));
    expect(hit.headers.get("x-switchyard-data-class")).toBe("internal");
    expect(await hit.text()).toContain(word);
    const row = await eventually(() => env.DB.prepare("SELECT data_class, json_extract(detail, '$.dlp_response.types') AS types FROM usage_events WHERE workload = ? AND cache = 'hit'")
      .bind(raising.workload).first<{ data_class: string; types: string }>());
    expect(row.data_class).toBe("internal");
    expect(JSON.parse(row.types)).toEqual(["PROJECT_WORD"]);
  }, 60_000);

  it("restricted requests are never cached, declared or by workload default", async () => {
    const org = await createOrg({ dataClass: "restricted", cache: { mode: "exact" } });
    for (let i = 0; i < 3; i++) {
      const r = await chat(org.apiKey, q("restricted question"));
      expect(r.headers.get("x-switchyard-cache")).toBe("bypass");
      await r.arrayBuffer();
    }
    const pub = await createOrg({ cache: { mode: "exact" } });
    for (let i = 0; i < 3; i++) {
      const r = await chat(pub.apiKey, q("declared restricted"), { "x-data-class": "restricted" });
      expect(r.headers.get("x-switchyard-cache")).toBe("bypass");
      expect(r.headers.get("x-switchyard-data-class")).toBe("restricted");
      await r.arrayBuffer();
    }
  }, 60_000);

  it("semantic: a similar prompt hits above the threshold, a different one misses", async () => {
    const org = await createOrg({ cache: { mode: "semantic", similarity: 0.9, embedding_model: "sim-embed" } });
    await (await chat(org.apiKey, q("What is the capital city of France?"))).arrayBuffer();
    const hit = await untilHit(org.apiKey, q("what is the capital city of france"));
    expect(hit.status).toBe(200);
    await hit.arrayBuffer();
    const miss = await chat(org.apiKey, q("Explain how photosynthesis works in plants"));
    expect(miss.headers.get("x-switchyard-cache")).toBe("miss");
    await miss.arrayBuffer();
  }, 60_000);

  it("cache off answers x-switchyard-cache: off", async () => {
    const org = await createOrg();
    const r = await chat(org.apiKey, q("no cache"));
    expect(r.headers.get("x-switchyard-cache")).toBe("off");
    await r.arrayBuffer();
  });
});
