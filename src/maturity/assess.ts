/**
 * @module
 * The assessment as a pure function of facts: every criterion evaluated, scored per layer and
 * overall. A criterion that throws is reported as not met with the error, never hidden.
 */
import type { MaturityFacts } from "./facts";
import { layer1Criteria } from "./layer-1";
import { layer2Criteria } from "./layer-2";
import { layer3Criteria } from "./layer-3";
import { layer4Criteria } from "./layer-4";
import { layer5Criteria } from "./layer-5";
import { sustainingCriteria } from "./sustaining";
import { LAYER_IDS, type AssessedCriterion, type Assessment, type Criterion, type LayerId, type Score, type Verdict } from "./types";

export const LAYER_NAMES: Record<LayerId, string> = {
  "layer-1": "Governance",
  "layer-2": "Gateway",
  "layer-3": "Operations",
  "layer-4": "Workloads",
  "layer-5": "Agent Security",
  sustaining: "Sustaining Stage 3",
};

export const ALL_CRITERIA: readonly Criterion[] = [
  ...layer1Criteria, ...layer2Criteria, ...layer3Criteria, ...layer4Criteria, ...layer5Criteria, ...sustainingCriteria,
];

/**
 * @example scoreOf([{ status: "met" }, { status: "not_applicable" }]).percent // 100
 */
export function scoreOf(items: ReadonlyArray<{ status: Verdict["status"] }>): Score {
  const met = items.filter((i) => i.status === "met").length;
  const notApplicable = items.filter((i) => i.status === "not_applicable").length;
  const total = items.length;
  const applicable = total - notApplicable;
  const percent = applicable ? Math.round((met / applicable) * 1000) / 10 : 0;
  return { met, not_met: total - met - notApplicable, not_applicable: notApplicable, total, percent };
}

function evaluateSafely(c: Criterion, facts: MaturityFacts): Verdict {
  try {
    return withZoneGaps(c, facts, c.evaluate(facts));
  } catch (err) {
    return { status: "not_met", reason: "The evaluation failed", evidence: [], missing: [`Evaluation error: ${err instanceof Error ? err.message : String(err)}`] };
  }
}

/**
 * A verdict on zone records while some region did not answer rests on part of the organisation:
 * `missing` names the regions whose records could not be read (a met verdict may still change).
 * @example withZoneGaps(c, { ...facts, zones: { answered: ["us"], failed: [{ region: "eu", status: null, reason: "unreachable" }], partial: true } }, v).missing
 */
export function withZoneGaps(c: Criterion, facts: MaturityFacts, v: Verdict): Verdict {
  if (!c.readsZones || !facts.zones.failed.length) return v;
  const gaps = facts.zones.failed.map((f) => `Zone records of region ${f.region}, which did not answer (${f.reason}); this verdict covers ${facts.zones.answered.join(", ") || "no region"} only.`);
  return { ...v, missing: [...v.missing, ...gaps] };
}

/**
 * Evaluates every criterion (or one layer's) against the facts.
 * @example const a = assess(facts); a.score.percent
 */
export function assess(facts: MaturityFacts, opts: { layer?: LayerId; criteria?: readonly Criterion[] } = {}): Assessment {
  const criteria = opts.criteria ?? ALL_CRITERIA;
  const layers = LAYER_IDS.filter((id) => !opts.layer || id === opts.layer).map((id) => {
    const assessed: AssessedCriterion[] = criteria.filter((c) => c.layer === id).map((c) => ({ id: c.id, text: c.text, ...evaluateSafely(c, facts) }));
    return { id, name: LAYER_NAMES[id], score: scoreOf(assessed), criteria: assessed };
  });
  return { assessed_at: new Date(facts.now).toISOString(), score: scoreOf(layers.flatMap((l) => l.criteria)), layers, regions: facts.zones };
}
