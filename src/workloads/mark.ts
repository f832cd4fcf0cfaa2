/**
 * @module
 * Marks in-process requests as evaluation traffic. Only Request objects the eval consumer
 * builds can carry the mark (a WeakMap, like failover drills), so no client header or body can
 * make a network request look like an eval; the pipeline copies the label into the usage event.
 */

export interface EvalLabel {
  /** The run (or `sample`/`judge`) this call belongs to. */
  run: string;
  kind: "golden" | "adversarial" | "judge" | "embedding";
  example?: string;
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
