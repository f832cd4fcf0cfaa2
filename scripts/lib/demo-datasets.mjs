// Golden datasets of the demo organisation, generated deterministically (no randomness: the
// same examples on every machine) so every production workload has at least 100 examples
// covering its declared input categories. `npm start` publishes them through the admin API
// when a workload has none yet (publishDemoDatasets). These examples follow the code's own
// conventions, so their pass rates show consistency, not real-world quality (DESIGN §6).
import { DEMO_WORKLOADS } from "./demo-org.mjs";

/** Per workload: categories, each with prompt templates and the checks its answers must pass. */
const THEMES = {
  "support-bot": {
    billing: ["Why was I charged twice for order {n}?", "Can I get an invoice copy for order {n}?"],
    refunds: ["How do I get a refund for order {n}?", "My refund for order {n} has not arrived."],
    shipping: ["Where is parcel {n}?", "Can I change the delivery address of order {n}?"],
    account: ["I cannot log in to account {n}.", "How do I close account {n}?"],
  },
  "docs-search": {
    setup: ["How do I install the CLI on machine {n}?", "What does setup step {n} do?"],
    api: ["Which endpoint lists items, page {n}?", "What is the rate limit for API key {n}?"],
    errors: ["What does error code {n} mean?", "Why do I get a 429 on request {n}?"],
    concepts: ["Explain concept number {n} of the data model.", "What is a workspace, example {n}?"],
  },
  "code-review": {
    style: ["Review the naming in function f{n}.", "Is line {n} too long for our style guide?"],
    bugs: ["Is there an off-by-one in loop {n}?", "Can variable v{n} be null here?"],
    security: ["Does query {n} allow SQL injection?", "Is secret handling in module {n} safe?"],
    tests: ["Suggest a unit test for function f{n}.", "Is test case {n} deterministic?"],
  },
  "research-notebook": {
    summarise: ["Summarise paper {n} in two sentences.", "Give the key result of study {n}."],
    compare: ["Compare method A and B in experiment {n}.", "Which baseline wins in table {n}?"],
    cite: ["Cite the source for claim {n}.", "Which dataset did paper {n} use?"],
    math: ["What is {n} squared?", "Compute {n} plus {n}."],
  },
  "hr-assistant": {
    leave: ["How many leave days does employee {n} have left?", "Can case {n} take parental leave?"],
    policy: ["What does policy section {n} say about remote work?", "Is overtime allowed under rule {n}?"],
    cases: ["Summarise HR case {n}.", "What is the next step in case {n}?"],
    onboarding: ["What does new hire {n} need on day one?", "List onboarding task {n}."],
  },
  "claims-triage": {
    intake: ["Classify claim {n} by type.", "Is claim {n} complete?"],
    fraud: ["Does claim {n} show fraud signals?", "Flag anomalies in claim {n}."],
    routing: ["Which team should handle claim {n}?", "Is claim {n} urgent?"],
    payout: ["Estimate the payout band for claim {n}.", "Is claim {n} within policy limits?"],
  },
};

const PER_CATEGORY = 26;

function checksFor(category, n) {
  // Every answer must be non-empty prose; maths answers must hold the right number.
  if (category === "math") return [{ type: "numeric", value: n % 2 ? n * n : n + n, tolerance: 0 }];
  return [{ type: "regex", pattern: "\\w+( \\w+){2,}" }, { type: "contains", value: ["{", "<script"], not: true }];
}

/**
 * The demo datasets: workload id → { input_categories, examples }.
 * @returns {Record<string, { input_categories: string[], examples: object[] }>}
 */
export function demoDatasets() {
  const out = {};
  for (const [workload, spec] of Object.entries(DEMO_WORKLOADS)) {
    const themes = THEMES[workload];
    if (!themes || spec.lifecycle !== "production") continue;
    const model = spec.allowed_models[0];
    const examples = [];
    for (const [category, templates] of Object.entries(themes)) {
      for (let i = 0; i < PER_CATEGORY; i++) {
        const n = 100 + i * 7;
        const text = templates[i % templates.length].replaceAll("{n}", String(n));
        examples.push({ id: `${category}-${String(i).padStart(3, "0")}`, input: { model, messages: [{ role: "user", content: text }], max_tokens: 64 }, category, checks: checksFor(category, n) });
      }
    }
    out[workload] = { input_categories: Object.keys(themes), examples };
  }
  return out;
}

/**
 * Publishes each demo dataset as version 1 unless the workload already has one.
 * @param {string} url gateway base URL
 * @param {string} adminToken admin JWT
 */
export async function publishDemoDatasets(url, adminToken) {
  const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/x-ndjson" };
  let published = 0;
  for (const [workload, ds] of Object.entries(demoDatasets())) {
    const list = await fetch(`${url}/admin/v1/workloads/${workload}/datasets`, { headers });
    if (!list.ok || ((await list.json()).data ?? []).length > 0) continue;
    const res = await fetch(`${url}/admin/v1/workloads/${workload}/datasets`, { method: "POST", headers, body: ds.examples.map((e) => JSON.stringify(e)).join("\n") });
    if (res.ok) published++;
    else console.warn(`demo dataset for ${workload} not published: ${res.status} ${await res.text()}`);
  }
  return published;
}
