/**
 * @module
 * Admin-time checks of a workload's cache policy that need the catalog: a semantic cache must
 * name a catalog model usable for embeddings (kind "embeddings", accepting the workload's default
 * class). The decision is {@link cachePolicyProblem}, a pure function; {@link checkCachePolicy}
 * reads the model and turns a problem into a 422 problem document.
 */
import type { DataClass, ModelPut, WorkloadPut } from "../config/schemas";
import { db, eq, schema, specOf } from "../config/store";
import type { Env } from "../env";
import { ProblemError } from "../errors/problem";

/**
 * What is wrong with a cache policy given its embeddings model (undefined: not in the catalog),
 * or undefined when nothing is.
 * @example cachePolicyProblem({ mode: "semantic" }, "public", undefined) // "cache.embedding_model is required ..."
 */
export function cachePolicyProblem(
  cache: NonNullable<WorkloadPut["cache"]>,
  defaultClass: DataClass,
  model: Pick<ModelPut, "kind" | "data_classes"> | undefined,
): string | undefined {
  if (cache.mode !== "semantic") return undefined;
  const id = cache.embedding_model;
  if (!id) return `cache.embedding_model is required for a semantic cache: name a catalog model of kind "embeddings".`;
  if (!model) return `cache.embedding_model ${id} is not in the model catalog.`;
  if (model.kind !== "embeddings") return `cache.embedding_model ${id} is a ${model.kind} model; a semantic cache needs an "embeddings" model.`;
  if (defaultClass !== "restricted" && !model.data_classes.includes(defaultClass)) {
    return `cache.embedding_model ${id} does not accept ${defaultClass} data, this workload's default class.`;
  }
  return undefined;
}

/** Throws a 422 problem when the workload's cache policy cannot work with the catalog. */
export async function checkCachePolicy(env: Env, body: WorkloadPut): Promise<void> {
  if (body.cache?.mode !== "semantic") return;
  const id = body.cache.embedding_model;
  const row = id ? await db(env).select().from(schema.models).where(eq(schema.models.id, id)).get() : undefined;
  const problem = cachePolicyProblem(body.cache, body.default_data_class, row ? specOf<ModelPut>(row) : undefined);
  if (problem) throw new ProblemError(422, "Invalid Cache Policy", problem, [{ path: "cache.embedding_model", message: problem }]);
}
