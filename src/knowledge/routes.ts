/**
 * @module
 * Admin routes of the knowledge base (mounted by src/admin/index.ts): search across incidents,
 * evaluations, governance and lessons learned; add and read lessons. Readers: admin, auditor,
 * finance (not team owners: the base spans every team). Lessons: admin and auditor.
 */
import { z } from "zod";
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { adminRoute, type AdminRoute } from "../admin/router";
import { configDb } from "../config/control-db";
import { audit } from "../config/store";
import { knowledgeLessons } from "../db/maturity-schema";
import { ProblemError } from "../errors/problem";
import { readAllZones } from "../admin/zone-read";
import type { RegionsReport } from "../admin/region-merge";
import { candidates, incidentDocs, mergeIncidentDocs } from "./sources";
import { KNOWLEDGE_KINDS, queryTerms, rank, type KnowledgeDoc, type KnowledgeKind } from "./search";

const LessonCreate = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  tags: z.array(z.string().trim().toLowerCase().min(1).max(40).regex(/^[a-z0-9][a-z0-9_.-]*$/, "lowercase letters, digits, '.', '_' or '-'")).max(20).default([]),
}).strict();

function lessonView(r: typeof knowledgeLessons.$inferSelect) {
  return { id: r.id, created_at: r.createdAt, author: r.author, title: r.title, body: r.body, tags: JSON.parse(r.tags) as string[], href: `/admin/v1/knowledge/lessons/${r.id}` };
}

export const knowledgeRoutes: AdminRoute<unknown>[] = [
  adminRoute({
    method: "get", path: "/knowledge", tag: "knowledge", roles: ["auditor", "finance"],
    summary: "Search incidents, evaluations, governance decisions and lessons learned (query: q, kind, limit)",
    handler: async ({ env, query, request }) => {
      const q = query.get("q") ?? "";
      if (q.length > 500) throw new ProblemError(400, "Invalid Query", "q must be at most 500 characters.");
      const kind = query.get("kind");
      if (kind !== null && !(KNOWLEDGE_KINDS as readonly string[]).includes(kind)) throw new ProblemError(400, "Invalid Query", `kind must be one of ${KNOWLEDGE_KINDS.join(", ")}.`);
      const rawLimit = query.get("limit");
      const limit = rawLimit === null ? 20 : Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ProblemError(400, "Invalid Query", "limit must be an integer from 1 to 100.");
      const terms = queryTerms(q);
      // Incidents live in each zone: every region's, through the internal read below (caller's token).
      let regions: RegionsReport = { answered: [env.REGION], failed: [], partial: false };
      const everyZone = async (): Promise<KnowledgeDoc[]> => {
        const read = await readAllZones<{ data: KnowledgeDoc[] }>(env, {
          path: `/admin/v1/knowledge/incidents?q=${encodeURIComponent(q)}`, authorization: request.headers.get("authorization"),
          origin: new URL(request.url).origin, merge: mergeIncidentDocs, local: async () => ({ data: await incidentDocs(env, terms) }),
        });
        regions = read.regions;
        return read.body.data;
      };
      const docs = await candidates(env, terms, kind ? [kind as KnowledgeKind] : KNOWLEDGE_KINDS, everyZone);
      return { query: { q, terms, kind: kind ?? null }, results: rank(docs, terms, Date.now(), limit), regions };
    },
  }),
  adminRoute({
    method: "get", path: "/knowledge/incidents", tag: "knowledge", roles: ["auditor", "finance"],
    summary: "Incident candidates of the knowledge search (query: q), gathered from every region; used by /knowledge",
    spansRegions: { merge: mergeIncidentDocs },
    handler: async ({ env, query }) => {
      const q = query.get("q") ?? "";
      if (q.length > 500) throw new ProblemError(400, "Invalid Query", "q must be at most 500 characters.");
      return { data: await incidentDocs(env, queryTerms(q)) };
    },
  }),
  adminRoute({
    method: "post", path: "/knowledge/lessons", tag: "knowledge", roles: ["auditor"], body: LessonCreate, status: 201,
    summary: "Add a lesson learned",
    handler: async ({ env, principal, body }) => {
      const row = { id: `lesson_${crypto.randomUUID()}`, createdAt: new Date().toISOString(), author: principal.sub, title: body.title, body: body.body, tags: JSON.stringify([...new Set(body.tags)]) };
      await drizzle(configDb(env)).insert(knowledgeLessons).values(row);
      await audit(env, { actor: principal.sub, action: "knowledge.lesson.create", resource: `knowledge/lessons/${row.id}`, detail: { title: row.title } });
      return lessonView(row);
    },
  }),
  adminRoute({
    method: "get", path: "/knowledge/lessons/:id", tag: "knowledge", roles: ["auditor", "finance"],
    summary: "A lesson learned",
    handler: async ({ env, params }) => {
      const row = await drizzle(configDb(env)).select().from(knowledgeLessons).where(eq(knowledgeLessons.id, String(params.id).slice(0, 200))).get();
      if (!row) throw new ProblemError(404, "Not Found", `No lesson ${params.id}.`);
      return lessonView(row);
    },
  }),
];
