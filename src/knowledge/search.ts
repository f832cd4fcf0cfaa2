/**
 * @module
 * Knowledge-base ranking as pure functions: query terms, a score per document (every term must
 * appear; title hits weigh more; newer records break ties) and a snippet around the first hit.
 *
 * Why a scored LIKE rather than D1 FTS5: the sources live in two databases (incidents in each
 * zone's D1, evaluations, governance and lessons in the control plane) and belong to other
 * modules' migrations; an FTS5 index would need a second copy of each, kept in step by triggers
 * on tables this module does not own, per zone. The volumes are small (thousands of records), so
 * a LIKE prefilter in SQL plus this ranking is fast and always current.
 */

export type KnowledgeKind = "incident" | "evaluation" | "governance" | "lesson";
export const KNOWLEDGE_KINDS: readonly KnowledgeKind[] = ["incident", "evaluation", "governance", "lesson"];

/** A searchable record, as the sources produce it. */
export interface KnowledgeDoc {
  kind: KnowledgeKind;
  id: string;
  title: string;
  body: string;
  href: string;
  at: string;
  /** The zone whose store holds it (incidents read from several regions). */
  region?: string;
}

export interface KnowledgeResult {
  kind: KnowledgeKind;
  id: string;
  title: string;
  snippet: string;
  href: string;
  at: string;
  score: number;
  region?: string;
}

export const MAX_TERMS = 8;
const SNIPPET_CHARS = 200;

/**
 * Lowercase words of a query (letters, digits, `_`, `-`, `.`), at most {@link MAX_TERMS}.
 * @example queryTerms("DLP spike, on-call!") // ["dlp", "spike", "on-call"]
 */
export function queryTerms(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}_.-]+/gu) ?? [];
  return [...new Set(words.map((w) => w.replace(/^[.-]+|[.-]+$/g, "")).filter((w) => w.length > 0 && w.length <= 64))].slice(0, MAX_TERMS);
}

/** A LIKE pattern matching `term` anywhere, with `\` as the escape character. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1 && n < 5; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Score of a document for the terms, or 0 when a term is missing. Title hits count triple,
 * repeated hits saturate at five, and a record from the last 90 days gets up to one extra point.
 * @example scoreDoc(["outage"], { title: "Provider outage", body: "", at: "2026-01-01T00:00:00Z" }, Date.parse("2026-01-02")) > 0
 */
export function scoreDoc(terms: readonly string[], doc: Pick<KnowledgeDoc, "title" | "body" | "at">, now: number): number {
  if (!terms.length) return 1;
  const title = doc.title.toLowerCase();
  const body = doc.body.toLowerCase();
  let score = 0;
  for (const t of terms) {
    const hits = 3 * occurrences(title, t) + occurrences(body, t);
    if (!hits) return 0;
    score += hits;
  }
  const ageDays = (now - Date.parse(doc.at)) / 86_400_000;
  return score + (Number.isFinite(ageDays) ? Math.max(0, 1 - ageDays / 90) : 0);
}

/**
 * Up to 200 characters of the body around the first term found, with ellipses where cut.
 * @example snippet("a long body about outages", ["outages"])
 */
export function snippet(body: string, terms: readonly string[]): string {
  const flat = body.replace(/\s+/g, " ").trim();
  const lower = flat.toLowerCase();
  const first = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  const start = Math.max(0, first - 60);
  const end = Math.min(flat.length, start + SNIPPET_CHARS);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}

/**
 * Ranks documents for a query: matching ones only, best first, newest first among equals.
 * @example rank(docs, queryTerms("budget breach"), Date.now(), 20)
 */
export function rank(docs: readonly KnowledgeDoc[], terms: readonly string[], now: number, limit: number): KnowledgeResult[] {
  return docs
    .map((d) => ({ d, score: scoreDoc(terms, d, now) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || b.d.at.localeCompare(a.d.at))
    .slice(0, limit)
    .map(({ d, score }) => ({
      kind: d.kind, id: d.id, title: d.title, snippet: snippet(d.body, terms), href: d.href, at: d.at, score: Math.round(score * 100) / 100,
      ...(d.region ? { region: d.region } : {}),
    }));
}
