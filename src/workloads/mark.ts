/**
 * @module
 * Marks in-process requests as evaluation traffic. Only Request objects the eval consumer
 * builds can carry the mark (a WeakMap, like failover drills), so no client header or body can
 * make a network request look like an eval; the pipeline copies the label into the usage event.
 * A label may pin a candidate target (a provider and an upstream model version not yet in the
 * catalog): the pipeline then routes that one call to it, so a model upgrade is evaluated while
 * production keeps serving the catalog as it is.
 */

export interface EvalLabel {
  /** The run (or `sample`/`judge`) this call belongs to. */
  run: string;
  kind: "golden" | "adversarial" | "judge" | "embedding";
  example?: string;
  /** The candidate target this call must use instead of the catalog's (upgrade evaluation). */
  candidate?: CandidatePin;
}

/** A provider of the catalog model and the upstream model version to call on it. */
export interface CandidatePin {
  provider: string;
  model: string;
}

const marks = new WeakMap<Request, EvalLabel>();

/** @example markEval(new Request(url, init), { run: "run_1", kind: "golden", example: "ex_1" }) */
export function markEval(request: Request, label: EvalLabel): Request {
  marks.set(request, label);
  return request;
}

/** The eval label of an in-process request; undefined for every request that came over the network. */
export function evalLabel(request: Request): EvalLabel | undefined {
  return marks.get(request);
}

/**
 * The catalog model with only the candidate's target: the pinned provider's target, its upstream
 * model replaced (timeouts, price and tier kept). Undefined when the model has no target on that
 * provider, so a pin can never reach a provider the catalog does not route the model to.
 * @example pinCandidate(model, { provider: "openai", model: "gpt-4o-mini-2026-10-01" })?.targets.length === 1
 */
export function pinCandidate<M extends { targets: ReadonlyArray<{ provider: string; model: string }> }>(model: M, pin: CandidatePin): M | undefined {
  const target = model.targets.find((t) => t.provider === pin.provider);
  return target ? { ...model, targets: [{ ...target, model: pin.model }] } : undefined;
}
