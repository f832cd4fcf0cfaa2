/**
 * @module
 * Layer 5 (Agent Security) exit criteria, judged from the agent registry, recorded tool calls
 * and delegation chains, shadow-agent discoveries, access reviews, baselines and their alerts.
 */
import { ageDays, met, notApplicable, notMet, plural, regionHref, type Criterion, type Evidence } from "./types";

/** Baselines are owed to agents active for longer than this. */
export const BASELINE_ACTIVITY_DAYS = 30;
/** The discovery scan runs daily; a month without a recorded run means it stopped. */
export const DISCOVERY_MAX_AGE_DAYS = 31;
const agentHref = (id: string) => `/admin/v1/agents/${encodeURIComponent(id)}`;

const parameterAuthorization: Criterion = {
  id: "l5.parameter-authorization",
  layer: "layer-5",
  text: "Tool and parameter-level authorization is enforced for all registered agents, and at least one parameter-level restriction is in place.",
  action: "Replace unconditional \"*\" grants with named tools, and add a `when` condition on the arguments of at least one grant (PUT /admin/v1/agents/:id).",
  evaluate(f) {
    if (!f.agents.length) return notMet(["At least one registered agent (POST /admin/v1/agents)."]);
    const wide = f.agents.filter((a) => a.unconditionalWildcards > 0);
    const restricted = f.agents.filter((a) => a.parameterGrants > 0);
    const evidence: Evidence[] = restricted.slice(0, 5).map((a) => ({ label: `${a.id}: ${plural(a.parameterGrants, "parameter-restricted grant")} of ${a.grants}`, href: agentHref(a.id) }));
    const missing = [
      ...wide.map((a) => `${a.id}: tool-level authorization (it holds ${plural(a.unconditionalWildcards, "unconditional \"*\" grant")}).`),
      ...(restricted.length ? [] : ["At least one grant restricted by a parameter condition (`when`)."]),
    ];
    if (missing.length) return notMet(missing, evidence);
    return met(`All ${plural(f.agents.length, "agent")} hold named tool grants; ${plural(restricted.length, "agent")} with parameter restrictions.`, evidence);
  },
};

const shadowDiscovery: Criterion = {
  id: "l5.shadow-discovery",
  layer: "layer-5",
  text: "Shadow agent discovery has been run and results have been reviewed. If shadow agents were found, they have been resolved.",
  action: "Resolve each open discovery: register the agent or terminate its keys (POST /admin/v1/discoveries/:id/register|terminate).",
  evaluate(f) {
    const open = f.discoveries.filter((d) => d.status === "open");
    const resolved = f.discoveries.filter((d) => d.status !== "open");
    const evidence: Evidence[] = [
      ...(f.lastDiscoveryRunAt ? [{ label: "Latest recorded discovery scan", href: "/admin/v1/discoveries", at: f.lastDiscoveryRunAt }] : []),
      ...(resolved.length ? [{ label: `${plural(resolved.length, "discovery")} resolved`, href: "/admin/v1/discoveries?status=registered" }] : []),
      ...(open.length ? [{ label: `${plural(open.length, "open discovery")}`, href: "/admin/v1/discoveries?status=open" }] : []),
    ];
    const lastRun = [f.lastDiscoveryRunAt, ...f.discoveries.map((d) => d.firstSeen)].filter((t): t is string => !!t).sort().pop();
    const missing: string[] = [];
    if (!lastRun) missing.push("A recorded shadow-agent scan (the daily cron, or POST /admin/v1/discoveries/run).");
    else if (ageDays(lastRun, f.now) > DISCOVERY_MAX_AGE_DAYS) missing.push(`A shadow-agent scan in the last ${DISCOVERY_MAX_AGE_DAYS} days (last ${lastRun.slice(0, 10)}).`);
    for (const d of open) missing.push(`Resolution of discovery ${d.id} (open since ${d.firstSeen.slice(0, 10)}).`);
    if (missing.length) return notMet(missing, evidence);
    return met(`Scans recorded (latest ${lastRun!.slice(0, 10)}); ${plural(resolved.length, "finding")} resolved, none open.`, evidence);
  },
};

const delegationTraced: Criterion = {
  id: "l5.delegation-traced",
  layer: "layer-5",
  readsZones: true,
  text: "Delegation chains are enforced with depth limits, and at least one multi-agent delegation has been traced end-to-end in audit logs.",
  action: "Exercise a delegation (token exchange to a sub-agent that then calls a tool) so a chain of two or more agents is recorded; trace it at /admin/v1/delegations/:trace.",
  evaluate(f) {
    const traces = [...f.delegationTraces].sort((a, b) => b.ts.localeCompare(a.ts));
    const evidence = traces.slice(0, 3).map((t) => ({ label: `Delegation trace ${t.trace}: chain of ${t.chainLength} agents`, href: `/admin/v1/delegations/${encodeURIComponent(t.trace)}`, at: t.ts }));
    // The depth limit itself is always enforced (a hard ceiling of 5, lowered per agent).
    if (!traces.length) return notMet(["A tool call made through a delegation chain of two or more agents, with its exchange in the trace's delegation record."]);
    return met(`${plural(traces.length, "multi-agent trace")} recorded; depth limits enforced on every hop.`, evidence);
  },
};

const mutualAuth: Criterion = {
  id: "l5.mutual-auth",
  layer: "layer-5",
  text: "Mutual authentication is in place for all agent-to-agent communication.",
  action: "Register a public key for every agent; A2A calls go through /a2a/{callee}, where the gateway verifies the caller and signs both the forwarded request and the answer.",
  evaluate(f) {
    const callable = f.agents.filter((a) => a.a2aCallable);
    if (!callable.length) return notApplicable(`No registered agent accepts agent-to-agent calls (no a2a_url among ${plural(f.agents.length, "agent")}), so there is no A2A traffic to authenticate.`);
    const keyless = f.agents.filter((a) => !a.hasKey);
    const evidence = callable.slice(0, 5).map((a) => ({ label: `${a.id}: A2A callee with a registered key`, href: agentHref(a.id) }));
    if (keyless.length) return notMet(keyless.map((a) => `${a.id}: a registered public key (callers prove possession of it).`), evidence);
    return met(`${plural(callable.length, "A2A callee")}; every agent holds a registered key, and the gateway signs requests and answers both ways.`, evidence);
  },
};

const accessReview: Criterion = {
  id: "l5.access-review",
  layer: "layer-5",
  text: "At least one quarterly agent access review has been completed with documented outcomes.",
  action: "Decide every item of the open access review (POST /admin/v1/access-reviews/:id/items/:item); the campaign completes when none is left.",
  evaluate(f) {
    const done = f.accessReviews.filter((r) => r.status === "completed");
    const evidence = done.slice(0, 3).map((r) => ({ label: `Access review ${r.period}: ${r.decided} of ${r.items} items decided`, href: `/admin/v1/access-reviews/${encodeURIComponent(r.id)}`, at: r.closedAt ?? undefined }));
    if (done.length) return met(`${plural(done.length, "completed review")} (latest ${done.map((r) => r.period).sort().pop()}).`, evidence);
    const open = f.accessReviews.filter((r) => r.status !== "completed");
    return notMet(
      open.length ? open.map((r) => `Decisions on ${r.items - r.decided} of ${r.items} items of access review ${r.period}.`) : ["A quarterly access review campaign (POST /admin/v1/access-reviews)."],
      open.map((r) => ({ label: `Access review ${r.period} (${r.status})`, href: `/admin/v1/access-reviews/${encodeURIComponent(r.id)}` })),
    );
  },
};

const baselines: Criterion = {
  id: "l5.behavioral-baselines",
  layer: "layer-5",
  readsZones: true,
  text: "Behavioral baselines exist for all agents with more than 30 days of activity, and at least one deviation alert has been investigated.",
  action: "Keep the daily agent-baselines cron on; acknowledge or resolve deviation alerts, or accept the new behaviour (POST /admin/v1/agents/:id/baseline/accept).",
  evaluate(f) {
    const seasoned = f.agents.filter((a) => a.firstCallAt && ageDays(a.firstCallAt, f.now) > BASELINE_ACTIVITY_DAYS);
    const without = seasoned.filter((a) => !a.hasBaseline);
    const investigated = f.baselineDeviations.filter((d) => d.investigated);
    const evidence: Evidence[] = [
      ...seasoned.filter((a) => a.hasBaseline).slice(0, 5).map((a) => ({ label: `${a.id}: baseline`, href: `${agentHref(a.id)}/baseline` })),
      ...investigated.slice(0, 3).map((d) => ({ label: `Deviation alert ${d.id}${d.agent ? ` (${d.agent})` : ""} investigated`, href: regionHref("/admin/v1/alerts?kind=agent_baseline_deviation", d.region), at: d.ts })),
    ];
    const missing = [
      ...without.map((a) => `${a.id}: a behavioural baseline (active since ${a.firstCallAt!.slice(0, 10)}).`),
      ...(investigated.length ? [] : [`An investigated deviation alert (${plural(f.baselineDeviations.length, "deviation alert")} raised, none acknowledged or accepted).`]),
    ];
    if (missing.length) return notMet(missing, evidence);
    return met(`${plural(seasoned.length, "agent")} with >30 days of activity all have baselines; ${plural(investigated.length, "deviation")} investigated.`, evidence);
  },
};

export const layer5Criteria: readonly Criterion[] = [parameterAuthorization, shadowDiscovery, delegationTraced, mutualAuth, accessReview, baselines];
