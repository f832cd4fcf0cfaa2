/**
 * Issue 16.9: every endpoint enforces its body limit while reading. Chunked bodies without a
 * content-length, over the limit, are answered 413 in each plane's own envelope.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, adminToken, createOrg, type TestOrg } from "./helpers";

let org: TestOrg;
beforeAll(async () => {
  org = await createOrg();
});

/** A body of `chunks` × `size` bytes of "x", streamed with no content-length. */
function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(size).fill(120);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= chunks) return controller.close();
      controller.enqueue(chunk);
    },
  });
}

const post = (path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  SELF.fetch(`${BASE}${path}`, { method: "POST", headers, body, duplex: "half" } as RequestInit);

describe("body limits hold while reading, in every plane", () => {
  it("data plane, embeddings: 413 in the OpenAI envelope", async () => {
    const res = await post("/v1/embeddings", chunked(20, 256 * 1024), { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("request_too_large");
  });

  it("admin plane: 413 problem document", async () => {
    const res = await SELF.fetch(`${BASE}/admin/v1/teams/too-big`, {
      method: "PUT", headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" }, body: chunked(20, 256 * 1024), duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await res.json<{ status: number; title: string }>()).title).toBe("Payload Too Large");
  });

  it("token exchange (unauthenticated): 413 OAuth error past 64 KB, before any credential check", async () => {
    const res = await post("/v1/agents/token-exchange", chunked(10, 8 * 1024), { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
    // Just under the limit is read and judged on its content (no grant_type: 400).
    const ok = await post("/v1/agents/token-exchange", chunked(7, 8 * 1024), { "content-type": "application/x-www-form-urlencoded" });
    expect(ok.status).toBe(400);
    expect(await ok.json()).toMatchObject({ error: "unsupported_grant_type" });
  });
});
