/**
 * @module
 * Layer 3 (Operations) exit criteria, judged from guardrail recommendations, forecast accuracy,
 * NPS rounds, the compliance report archive and incidents with their runbook steps.
 */
import { complianceMissing, consecutiveCompliance } from "./layer-1";
import { ageDays, latestConsecutivePair, met, notMet, plural, regionHref, type Criterion, type Evidence } from "./types";

/** The requirement's bound on forecast error. */
export const FORECAST_ERROR_MAX = 0.15;

const guardrailTuned: Criterion = {
  id: "l3.guardrail-tuned",
  layer: "layer-3",
  readsZones: true,
  text: "At least one guardrail has been tuned based on automated analysis, and the impact of the tuning is documented.",
  action: "Apply a guardrail tuning recommendation (POST /admin/v1/guardrails/recommendations/:id/apply); its impact is measured automatically after the window.",
  evaluate(f) {
    const applied = f.guardrailRecommendations.filter((r) => r.status === "applied");
    const measured = applied.filter((r) => r.impactMeasured);
    const href = "/admin/v1/guardrails/recommendations?status=applied";
    const evidence: Evidence[] = applied.slice(0, 5).map((r) => ({ label: `${r.guardrail} recommendation ${r.id}${r.impactMeasured ? ": impact measured" : ": impact pending"}`, href: regionHref(href, r.region), at: r.decidedAt ?? r.createdAt }));
    if (measured.length) return met(`${plural(measured.length, "applied tuning")} with measured impact.`, evidence);
    if (applied.length) {
      return notMet(applied.map((r) => `Impact of applied recommendation ${r.id}${r.impactDueAt ? ` (due ${r.impactDueAt.slice(0, 10)})` : ""}.`), evidence);
    }
    const open = f.guardrailRecommendations.filter((r) => r.status === "open").length;
    return notMet([`An applied guardrail tuning recommendation (${plural(open, "open recommendation")} waiting for review).`], evidence);
  },
};

const forecastAccuracy: Criterion = {
  id: "l3.forecast-accuracy",
  layer: "layer-3",
  readsZones: true,
  text: "Cost forecasts have been generated for at least two consecutive months and compared against actuals. Forecast accuracy is within 15 percent.",
  action: "Keep the daily finance job running so each month's forecast is scored against actuals; investigate months above 15% error.",
  evaluate(f) {
    const org = f.forecastAccuracy.filter((a) => a.scope === "org");
    const pair = latestConsecutivePair(org.map((a) => a.month));
    const evidence: Evidence[] = org.slice(-4).map((a) => ({ label: `${a.month}: forecast error ${(a.error * 100).toFixed(1)}%`, href: regionHref("/admin/v1/forecasts/accuracy", a.region) }));
    if (!pair) return notMet([`Organisation forecasts scored against actuals for two consecutive months (found ${org.map((a) => a.month).join(", ") || "none"}).`], evidence);
    const off = pair.map((m) => org.find((a) => a.month === m)!).filter((a) => a.error > FORECAST_ERROR_MAX);
    if (off.length) return notMet(off.map((a) => `Forecast accuracy within 15% for ${a.month} (error ${(a.error * 100).toFixed(1)}%).`), evidence);
    return met(`Forecasts for ${pair[1]} and ${pair[0]} within 15% of actuals.`, evidence);
  },
};

const npsReviewed: Criterion = {
  id: "l3.nps-reviewed",
  layer: "layer-3",
  readsZones: true,
  text: "Developer satisfaction has been surveyed at least once and results have been reviewed by the operations team.",
  action: "Open a survey round (POST /admin/v1/surveys), then record the operations team's review: close its investigation with a note, or add a lesson learned tagged \"nps\".",
  evaluate(f) {
    const answered = f.surveys.filter((s) => s.responses > 0);
    const closed = f.npsInvestigations.filter((i) => i.closedAt);
    const evidence: Evidence[] = [
      ...answered.slice(0, 3).map((s) => ({ label: `Survey ${s.id}: ${plural(s.responses, "response")}`, href: regionHref(`/admin/v1/surveys/${encodeURIComponent(s.id)}/results`, s.region), at: s.createdAt })),
      ...closed.slice(0, 3).map((i) => ({ label: `NPS investigation ${i.id} closed with a note`, href: regionHref("/admin/v1/surveys/investigations?state=closed", i.region), at: i.closedAt ?? undefined })),
      ...(f.knowledge.npsLessons ? [{ label: `${plural(f.knowledge.npsLessons, "lesson")} tagged nps`, href: "/admin/v1/knowledge?kind=lesson&q=nps" }] : []),
    ];
    const missing: string[] = [];
    if (!answered.length) missing.push(`A developer survey round with responses (${plural(f.surveys.length, "round")} opened, none answered).`);
    // The review is only on record when a person wrote something down.
    if (!closed.length && !f.knowledge.npsLessons) missing.push("A documented review of the results: a closed NPS investigation with a note, or a lesson learned tagged \"nps\".");
    if (missing.length) return notMet(missing, evidence);
    return met(`${plural(answered.length, "answered round")}; review documented.`, evidence);
  },
};

const complianceAutomatic: Criterion = {
  id: "l3.compliance-reports-automatic",
  layer: "layer-3",
  readsZones: true,
  text: "Compliance reports are generated without manual intervention for at least two consecutive reporting periods.",
  action: "Keep the monthly-reports cron running (0 6 1 * *); a report made through the API does not count as automatic.",
  evaluate(f) {
    const pair = consecutiveCompliance(f.reports, false);
    if (pair) {
      return met(`Compliance reports for ${pair[1].period} and ${pair[0].period} generated by cron.`, pair.map((r) => ({ label: `compliance report ${r.period} (cron)`, href: regionHref(`/admin/v1/reports/${encodeURIComponent(r.id)}`, r.region), at: r.createdAt })));
    }
    return notMet(complianceMissing(f.reports, false).slice(0, 1));
  },
};

const runbookTriggered: Criterion = {
  id: "l3.runbook-triggered",
  layer: "layer-3",
  readsZones: true,
  text: "At least one incident type has an automated runbook that has been triggered (real or test) with documented results.",
  action: "Drill a runbook (POST /admin/v1/runbooks/:kind/drill) or let detection open a real incident; its steps are recorded on the incident.",
  evaluate(f) {
    const ran = f.incidents.filter((i) => i.automatedSteps > 0).sort((a, b) => b.detectedAt.localeCompare(a.detectedAt));
    const evidence = ran.slice(0, 5).map((i) => ({ label: `${i.kind} ${i.drill ? "drill" : "incident"} ${i.id}: ${plural(i.automatedSteps, "automated step")}, ${i.status}`, href: regionHref(`/admin/v1/incidents/${encodeURIComponent(i.id)}`, i.region), at: i.detectedAt }));
    if (!ran.length) {
      const found = f.incidents.length ? `${plural(f.incidents.length, "incident")} on record, none with such steps` : "no incidents on record";
      return notMet([`An incident (real or drill) whose runbook recorded automated diagnosis or remediation steps (${found}).`]);
    }
    const kinds = [...new Set(ran.map((i) => i.kind))];
    const recent = ageDays(ran[0].detectedAt, f.now);
    return met(`Runbooks ran for ${kinds.join(", ")}; latest ${Math.floor(recent)} days ago.`, evidence);
  },
};

export const layer3Criteria: readonly Criterion[] = [guardrailTuned, forecastAccuracy, npsReviewed, complianceAutomatic, runbookTriggered];
