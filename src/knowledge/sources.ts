/**
 * @module
 * Where knowledge-base documents come from: incidents with their runbook steps (the zone's D1),
 * evaluation runs and upgrade recommendations, governance proposals, versions and review-board
 * decisions, and lessons learned (the control plane). Each source prefilters in SQL with one
 * LIKE per term (all must match) and returns at most {@link PER_SOURCE} recent candidates;
 * ./search.ts ranks them.
 */
import type { RegionPart } from "../admin/region-merge";
import { configDb } from "../config/control-db";
import { regionHref } from "../maturity/types";
import type { Env } from "../env";
import { liveVersion } from "../governance/store";
import { likePattern, type KnowledgeDoc, type KnowledgeKind } from "./search";

export const PER_SOURCE = 200;
type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** `expr LIKE ? ESCAPE '\'` once per term, joined with AND (true when there are no terms). */
function likeAll(expr: string, terms: readonly string[]): { sql: string; args: string[] } {
  if (!terms.length) return { sql: "1 = 1", args: [] };
  return { sql: terms.map(() => `${expr} LIKE ? ESCAPE '\\'`).join(" AND "), args: terms.map(likePattern) };
}

/**
 * This zone's incidents matching every term, with their runbook steps.
 * @example const docs = await incidentDocs(env, ["outage"]);
 */
export async function incidentDocs(env: Env, terms: readonly string[]): Promise<KnowledgeDoc[]> {
  const doc = "(title || ' ' || kind || ' ' || subject || ' ' || diagnosis || ' ' || steps)";
  const w = likeAll(doc, terms);
  const { results } = await env.DB.prepare(
    `SELECT * FROM (SELECT i.id, i.title, i.kind, i.severity, i.status, i.drill, i.detected_at AS at, coalesce(i.subject, '') AS subject,
       coalesce(i.diagnosis, '') AS diagnosis,
       coalesce((SELECT group_concat(st.step || ' ' || st.outcome || coalesce(': ' || st.detail, ''), ' | ') FROM incident_steps st WHERE st.incident_id = i.id), '') AS steps
     FROM incidents i) WHERE ${w.sql} ORDER BY at DESC LIMIT ?`,
  ).bind(...w.args, PER_SOURCE).all<Row>();
  return results.map((r) => ({
    kind: "incident", id: s(r.id), href: `/admin/v1/incidents/${encodeURIComponent(s(r.id))}`, at: s(r.at),
    title: `${Number(r.drill) ? "[drill] " : ""}${s(r.title)}`,
    body: `${s(r.kind)} incident, ${s(r.severity)}, ${s(r.status)}. ${s(r.subject)} Diagnosis: ${s(r.diagnosis)} Runbook steps: ${s(r.steps)}`.slice(0, 8000),
  }));
}

async function evaluations(env: Env, terms: readonly string[]): Promise<KnowledgeDoc[]> {
  const db = configDb(env);
  const runs = likeAll("(workload || ' ' || suite || ' ' || model || ' ' || trigger || ' evaluation')", terms);
  const recs = likeAll("(workload || ' ' || model || ' ' || candidate || ' ' || decision || ' ' || regressions || ' model upgrade evaluation')", terms);
  const [r1, r2] = await db.batch<Row>([
    db.prepare(`SELECT id, workload, suite, model, trigger, total, created_at,
       (SELECT count(*) FROM eval_results e WHERE e.run_id = eval_runs.id AND e.status = 'pass') AS passed
     FROM eval_runs WHERE ${runs.sql} ORDER BY created_at DESC LIMIT ?`).bind(...runs.args, PER_SOURCE),
    db.prepare(`SELECT id, workload, model, candidate, decision, status, regressions, created_at FROM eval_recommendations WHERE ${recs.sql} ORDER BY created_at DESC LIMIT ?`).bind(...recs.args, PER_SOURCE),
  ]);
  return [
    ...r1.results.map((r): KnowledgeDoc => ({
      kind: "evaluation", id: s(r.id), href: `/admin/v1/evals/runs/${encodeURIComponent(s(r.id))}`, at: s(r.created_at),
      title: `${s(r.suite)} evaluation of ${s(r.workload)} on ${s(r.model)}`,
      body: `${s(r.suite)} evaluation run (${s(r.trigger)}) of workload ${s(r.workload)} on model ${s(r.model)}: ${s(r.passed)} of ${s(r.total)} examples passed.`,
    })),
    ...r2.results.map((r): KnowledgeDoc => ({
      kind: "evaluation", id: s(r.id), href: "/admin/v1/evals/recommendations", at: s(r.created_at),
      title: `Model upgrade re-evaluation of ${s(r.model)} for ${s(r.workload)}: ${s(r.decision)}`,
      body: `Model upgrade evaluation of ${s(r.candidate)} for workload ${s(r.workload)}: decision ${s(r.decision)} (${s(r.status)}). Regressions: ${s(r.regressions)}`.slice(0, 8000),
    })),
  ];
}

async function governance(env: Env, terms: readonly string[]): Promise<KnowledgeDoc[]> {
  const db = configDb(env);
  const props = likeAll("(id || ' ' || coalesce(rationale, '') || ' ' || status || ' ' || source || ' ' || author || ' ' || coalesce(evidence, '') || ' governance proposal')", terms);
  const vers = likeAll("(v.author || ' ' || coalesce(p.rationale, '') || ' governance version ' || v.version)", terms);
  const [p, v] = await db.batch<Row>([
    db.prepare(`SELECT id, rationale, status, source, author, created_at, evidence, impact FROM governance_proposals WHERE ${props.sql} ORDER BY created_at DESC LIMIT ?`).bind(...props.args, PER_SOURCE),
    db.prepare(`SELECT v.version, v.author, v.applied_at, v.approvers, v.proposal_id, p.rationale FROM governance_versions v LEFT JOIN governance_proposals p ON p.id = v.proposal_id
     WHERE ${vers.sql} ORDER BY v.version DESC LIMIT ?`).bind(...vers.args, PER_SOURCE),
  ]);
  const docs: KnowledgeDoc[] = [
    ...p.results.map((r): KnowledgeDoc => ({
      kind: "governance", id: s(r.id), href: `/admin/v1/governance/proposals/${encodeURIComponent(s(r.id))}`, at: s(r.created_at),
      title: `Governance proposal (${s(r.status)}): ${s(r.rationale).slice(0, 120) || s(r.id)}`,
      body: `${s(r.rationale)} Source ${s(r.source)}, by ${s(r.author)}. Evidence: ${s(r.evidence).slice(0, 2000)} Impact: ${s(r.impact).slice(0, 1000)}`,
    })),
    ...v.results.map((r): KnowledgeDoc => ({
      kind: "governance", id: `v${s(r.version)}`, href: `/admin/v1/governance/versions/${s(r.version)}`, at: s(r.applied_at),
      title: `Governance version ${s(r.version)} applied`,
      body: `Governance version ${s(r.version)} by ${s(r.author)}, approved by ${s(r.approvers)}, from proposal ${s(r.proposal_id)}: ${s(r.rationale)}`,
    })),
  ];
  // Review-board decisions live in the minutes artifact of the live version.
  const live = await liveVersion(env);
  for (const meeting of live?.artifacts.minutes.meetings ?? []) {
    meeting.decisions.forEach((d, i) => {
      const body = `Review board ${meeting.date} (${meeting.attendees.join(", ")}): ${d.summary} ${meeting.notes ?? ""}`;
      if (terms.every((t) => body.toLowerCase().includes(t))) {
        docs.push({ kind: "governance", id: `minutes-${meeting.date}-${i + 1}`, href: `/admin/v1/governance/versions/${live!.version}`, at: `${meeting.date}T00:00:00.000Z`, title: `Review board decision ${meeting.date}`, body });
      }
    });
  }
  return docs;
}

async function lessons(env: Env, terms: readonly string[]): Promise<KnowledgeDoc[]> {
  const w = likeAll("(title || ' ' || body || ' ' || tags || ' lesson')", terms);
  const { results } = await configDb(env).prepare(`SELECT id, created_at, author, title, body, tags FROM knowledge_lessons WHERE ${w.sql} ORDER BY created_at DESC LIMIT ?`)
    .bind(...w.args, PER_SOURCE).all<Row>();
  return results.map((r) => ({
    kind: "lesson", id: s(r.id), href: `/admin/v1/knowledge/lessons/${encodeURIComponent(s(r.id))}`, at: s(r.created_at),
    title: s(r.title), body: `${s(r.body)} Tags: ${(JSON.parse(s(r.tags) || "[]") as string[]).join(", ")}. By ${s(r.author)}.`,
  }));
}

/** The control-plane sources (global: the same answer from every edge). */
const CONTROL_SOURCES: Record<Exclude<KnowledgeKind, "incident">, (env: Env, terms: readonly string[]) => Promise<KnowledgeDoc[]>> = { evaluation: evaluations, governance, lesson: lessons };

/** Where the incidents come from: this zone only, or (the route's choice) every region's. */
export type IncidentSource = (terms: readonly string[]) => Promise<KnowledgeDoc[]>;

/**
 * Candidate documents of the given kinds (all when none) matching every term.
 * @example const docs = await candidates(env, ["outage"], ["incident", "lesson"]);
 */
export async function candidates(env: Env, terms: readonly string[], kinds: readonly KnowledgeKind[], incidents: IncidentSource = (t) => incidentDocs(env, t)): Promise<KnowledgeDoc[]> {
  return (await Promise.all(kinds.map((k) => (k === "incident" ? incidents(terms) : CONTROL_SOURCES[k](env, terms))))).flat();
}

/**
 * The fan-out merge of GET /knowledge/incidents: every region's candidates, flagged with their
 * region and linked to it (`?region=`), ranked later together with the control-plane documents.
 * @example mergeIncidentDocs([{ region: "eu", body: { data: [doc] } }]).data[0].href.endsWith("?region=eu")
 */
export function mergeIncidentDocs(parts: readonly RegionPart[]): { data: KnowledgeDoc[] } {
  return {
    data: parts.flatMap((p) => {
      const list = (p.body as { data?: unknown } | null)?.data;
      return (Array.isArray(list) ? (list as KnowledgeDoc[]) : []).map((d) => ({ ...d, region: p.region, href: regionHref(d.href, p.region) }));
    }),
  };
}
