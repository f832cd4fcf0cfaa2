/**
 * Helpers for the workloads/evaluations integration tests: dataset uploads, waiting for a run
 * to finish on the real eval-jobs queue.
 */
import { SELF } from "cloudflare:test";
import { BASE, adminOk, adminToken, eventually } from "./helpers";

export async function upload(workload: string, body: string, contentType = "application/x-ndjson"): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/v1/workloads/${workload}/datasets`, {
    method: "POST",
    headers: { authorization: `Bearer ${await adminToken()}`, "content-type": contentType },
    body,
  });
}

export const example = (category: string, text: string, checks: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  input: { messages: [{ role: "user", content: text }], max_tokens: 16 }, category, checks, ...extra,
});

export const jsonl = (examples: unknown[]) => examples.map((e) => JSON.stringify(e)).join("\n");

export interface RunView {
  id: string;
  status: string;
  progress: { done: number; total: number };
  pass_rate: number | null;
  counts: { pass: number; fail: number; error: number };
  by_category: Record<string, { total: number; pass: number; pass_rate: number }>;
  cost_usd: number;
  latency_ms: { p50: number | null; p90: number | null; p99: number | null };
  results: Array<{ example: string; category: string; status: string; score: number; request_id: string; output: string | null; detail: Record<string, unknown> }>;
}

/** Starts a run and waits until every example has a result. */
export async function runToCompletion(body: Record<string, unknown>, timeoutMs = 60_000): Promise<RunView> {
  const run = await adminOk<{ id: string }>("POST", "/evals/runs", body);
  return eventually(async () => {
    const v = await adminOk<RunView>("GET", `/evals/runs/${run.id}`);
    return v.status === "completed" ? v : undefined;
  }, timeoutMs);
}
