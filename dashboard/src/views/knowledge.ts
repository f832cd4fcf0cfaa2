/**
 * @module
 * Knowledge: full-text search over incidents, evaluation results, governance decisions and
 * lessons learned (GET /admin/v1/knowledge?q=&kind=); each hit opens its records.
 */
import { apiGet, ApiError } from "../api";
import { h, replace } from "../dom";
import { when } from "../format";
import { recordsLink } from "../records";
import { badge } from "../ui";
import { page, qs } from "./common";

interface Hit { kind: string; id: string; title: string; snippet: string; href: string; at: string }

export function knowledgeView(): HTMLElement {
  const input = h("input", { id: "knowledge-q", type: "search", required: true, autocomplete: "off", placeholder: "e.g. outage fallback, budget, DLP" });
  const kind = h("select", { id: "knowledge-kind" },
    h("option", { value: "" }, "everything"), ["incident", "evaluation", "governance", "lesson"].map((k) => h("option", { value: k }, k)));
  const results = h("div", { class: "results", "aria-live": "polite", "data-section": "knowledge-results" });
  const search = async () => {
    const path = `/admin/v1/knowledge${qs({ q: input.value.trim(), kind: kind.value || undefined, limit: 50 })}`;
    results.dataset.state = "loading";
    replace(results, h("p", { class: "loading" }, "Searching…"));
    try {
      const r = await apiGet<{ results: Hit[] }>(path, { fresh: true });
      results.dataset.state = "ready";
      replace(results,
        h("p", {}, recordsLink(`${r.results.length} results`, path)),
        h("ol", { class: "hits" }, r.results.map((x) => h("li", {},
          badge(x.kind), " ", recordsLink(x.title, x.href), h("small", {}, ` ${when(x.at)}`), h("p", {}, x.snippet)))));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      results.dataset.state = status === 404 ? "unavailable" : status === 403 ? "forbidden" : "error";
      replace(results, h("p", { class: `notice ${results.dataset.state}` },
        status === 404 ? "Knowledge search is not available on this gateway yet (404)." : status === 403 ? "Not allowed for your role (403)." : `Search failed: ${String(err)}`));
    }
  };
  const form = h("form", { class: "search", role: "search", onsubmit: (e: Event) => { e.preventDefault(); void search(); } },
    h("label", { for: "knowledge-q" }, "Search the knowledge base"), input,
    h("label", { for: "knowledge-kind" }, "in"), kind,
    h("button", { type: "submit" }, "Search"));
  return page("Knowledge", "Incidents, evaluation results, governance decisions and lessons learned, in one search.",
    h("section", { class: "card wide" }, form, results));
}
