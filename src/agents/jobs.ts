/**
 * @module
 * The agent plane's scheduled jobs (registered in workers/cron.ts): shadow-agent discovery and
 * behavioural baselines daily, access-review campaigns quarterly, escalation of overdue reviews
 * daily. Each reads D1, decides with the pure modules beside it, and writes results plus audit
 * rows; alerts go through raiseAlert.
 */
import type { Env } from "../env";
import { configDb } from "../config/control-db";
import { audit } from "../config/store";
import { raiseAlert } from "../operations/alerts";
import { evaluateBaseline, BASELINE_DAYS, type ObservedCall } from "./baseline";
import { discover, type ObservedEvent } from "./discovery";
import { quarterOf, REVIEW_DUE_DAYS, reviewItems } from "./reviews";
import type { AgentPut, Grant, McpServerPut } from "./schemas";

const DAY = 86_400_000;
const MAX_EVENTS = 50_000;

/**
 * Scans the last 24 hours of usage for automated traffic that belongs to no registered agent.
 * @example await runShadowDiscovery(env, Date.now())
 */
export async function runShadowDiscovery(env: Env, now: number): Promise<{ found: number; updated: number }> {
  const since = new Date(now - DAY).toISOString();
  const historySince = new Date(now - 31 * DAY).toISOString();
  // Usage is the zone's; agents and discoveries are configuration (src/config/control-db.ts).
  const control = configDb(env);
  const [[events, history], [agents, registered]] = await Promise.all([env.DB.batch([
    env.DB.prepare("SELECT ts, key_id, json_extract(detail, '$.user_agent') AS ua, json_extract(detail, '$.agent') AS agent, json_extract(detail, '$.tools') AS tools FROM usage_events WHERE ts >= ? AND ts <= ? LIMIT ?").bind(since, new Date(now).toISOString(), MAX_EVENTS),
    env.DB.prepare("SELECT key_id, substr(ts, 1, 10) AS day, count(*) AS n FROM usage_events WHERE ts >= ? AND ts < ? AND key_id IS NOT NULL GROUP BY key_id, day").bind(historySince, since),
  ]), control.batch([
    control.prepare("SELECT id FROM agents"),
    control.prepare("SELECT fingerprint FROM agent_discoveries WHERE status = 'registered'"),
  ])]);
  const observed: ObservedEvent[] = (events.results as Array<{ ts: string; key_id: string | null; ua: string | null; agent: string | null; tools: string | null }>).map((r) => ({
    ts: Date.parse(r.ts),
    keyId: r.key_id,
    userAgent: r.ua,
    agent: r.agent,
    tools: parseTools(r.tools),
  }));
  const daily = new Map<string, number[]>();
  for (const r of history.results as Array<{ key_id: string; n: number }>) daily.set(r.key_id, [...(daily.get(r.key_id) ?? []), r.n]);
  const known = new Set((agents.results as Array<{ id: string }>).map((r) => r.id));
  const accepted = new Set((registered.results as Array<{ fingerprint: string }>).map((r) => r.fingerprint));
  let found = 0;
  let updated = 0;
  for (const f of discover(observed, known, daily)) {
    if (accepted.has(f.fingerprint)) continue;
    const evidence = JSON.stringify({ signals: f.signals, ...f.evidence });
    const open = await configDb(env).prepare("SELECT id FROM agent_discoveries WHERE fingerprint = ? AND status = 'open'").bind(f.fingerprint).first<{ id: string }>();
    if (open) {
      await configDb(env).prepare("UPDATE agent_discoveries SET last_seen = ?, evidence = ?, subject = ? WHERE id = ?").bind(new Date(f.lastSeen).toISOString(), evidence, JSON.stringify(f.subject), open.id).run();
      updated++;
      continue;
    }
    const id = `disc_${crypto.randomUUID()}`;
    await configDb(env).prepare("INSERT INTO agent_discoveries (id, fingerprint, status, first_seen, last_seen, subject, evidence) VALUES (?, ?, 'open', ?, ?, ?, ?)")
      .bind(id, f.fingerprint, new Date(f.firstSeen).toISOString(), new Date(f.lastSeen).toISOString(), JSON.stringify(f.subject), evidence)
      .run();
    await audit(env, { actor: "cron:shadow-agent-discovery", action: "agent.discovery.found", resource: `discoveries/${id}`, detail: { subject: f.subject, signals: f.signals } });
    await raiseAlert(env, { kind: "shadow_agent", severity: "warning", title: `Unregistered automated traffic on ${f.subject.key_id ?? "an unknown key"}`, evidence: { discovery: id, subject: f.subject, signals: f.signals, ...f.evidence } });
    found++;
  }
  // Every scan leaves a record, also one that finds nothing: "discovery has been run" is then provable.
  await audit(env, { actor: "system:shadow-agent-discovery", action: "agent.discovery.run", resource: "discoveries", detail: { found, updated, scanned: observed.length } });
  return { found, updated };
}

function parseTools(raw: string | null): string[] | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === "string") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Recomputes each agent's profile and alerts on deviations. A profile with an unacknowledged
 * deviation is not moved: the sudden change is investigated (POST .../baseline/accept) first.
 */
export async function runBaselines(env: Env, now: number): Promise<{ agents: number; alerts: number }> {
  const since = new Date(now - (BASELINE_DAYS + 1) * DAY).toISOString();
  const control = configDb(env);
  const [agents, servers, baselines] = await control.batch([
    control.prepare("SELECT id FROM agents"),
    control.prepare("SELECT id, spec FROM mcp_servers"),
    control.prepare("SELECT agent, profile FROM agent_baselines"),
  ]);
  const classOf = new Map((servers.results as Array<{ id: string; spec: string }>).map((s) => [s.id, (JSON.parse(s.spec) as McpServerPut).data_class ?? null]));
  const stored = new Map((baselines.results as Array<{ agent: string; profile: string }>).map((b) => [b.agent, JSON.parse(b.profile) as { pending_deviation?: unknown }]));
  let alerts = 0;
  for (const { id } of agents.results as Array<{ id: string }>) {
    const { results } = await env.DB.prepare("SELECT ts, server, tool, decision, arg_shape FROM agent_calls WHERE agent = ? AND ts >= ? LIMIT ?").bind(id, since, MAX_EVENTS).all<{ ts: string; server: string; tool: string; decision: "allow" | "deny"; arg_shape: string | null }>();
    const calls: ObservedCall[] = results.map((r) => ({ ts: Date.parse(r.ts), server: r.server, tool: r.tool, decision: r.decision, argShape: r.arg_shape ?? "null", dataClass: classOf.get(r.server) ?? null }));
    const { profile, deviations } = evaluateBaseline(calls, now);
    const previous = stored.get(id);
    if (previous?.pending_deviation) continue;
    if (deviations.length) {
      await raiseAlert(env, { kind: "agent_baseline_deviation", severity: "warning", title: `Agent ${id} deviates from its baseline`, evidence: { agent: id, deviations, baseline: previous ?? profile } });
      alerts++;
    }
    // On deviation keep the old profile and mark it, so the change is reviewed before it becomes normal.
    const body = deviations.length ? { ...(previous ?? profile), pending_deviation: { at: new Date(now).toISOString(), deviations } } : profile;
    await configDb(env).prepare("INSERT INTO agent_baselines (agent, profile, updated_at) VALUES (?, ?, ?) ON CONFLICT(agent) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at")
      .bind(id, JSON.stringify(body), new Date(now).toISOString())
      .run();
  }
  return { agents: agents.results.length, alerts };
}

/**
 * Opens the campaign of the quarter `now` falls in (idempotent): every grant of every agent.
 * @example await openAccessReview(env, Date.now(), "cron")
 */
export async function openAccessReview(env: Env, now: number, actor: string): Promise<{ id: string; created: boolean }> {
  const period = quarterOf(new Date(now));
  const existing = await configDb(env).prepare("SELECT id FROM access_reviews WHERE period = ?").bind(period).first<{ id: string }>();
  if (existing) return { id: existing.id, created: false };
  const [agents, uses] = await Promise.all([
    configDb(env).prepare("SELECT id, spec FROM agents ORDER BY id").all(),
    env.DB.prepare("SELECT agent, server, tool, max(ts) AS last FROM agent_calls WHERE decision = 'allow' GROUP BY agent, server, tool").all(),
  ]);
  const last = uses.results as Array<{ agent: string; server: string; tool: string; last: string }>;
  const lastUse = (agent: string, g: Grant) =>
    last.filter((u) => u.agent === agent && u.server === g.server && (g.tool === "*" || g.tool === u.tool)).reduce<string | null>((m, u) => (!m || u.last > m ? u.last : m), null);
  const items = reviewItems((agents.results as Array<{ id: string; spec: string }>).map((a) => ({ id: a.id, grants: (JSON.parse(a.spec) as AgentPut).grants })), lastUse, now);
  const id = `rev_${period}_${crypto.randomUUID().slice(0, 8)}`;
  const opened = new Date(now).toISOString();
  const control = configDb(env);
  await control.batch([
    control.prepare("INSERT INTO access_reviews (id, period, status, opened_at, due_at) VALUES (?, ?, 'open', ?, ?)").bind(id, period, opened, new Date(now + REVIEW_DUE_DAYS * DAY).toISOString()),
    ...items.map((it) =>
      control.prepare("INSERT INTO access_review_items (id, review_id, agent, grant_spec, last_used, unused_90d) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(`item_${crypto.randomUUID().slice(0, 12)}`, id, it.agent, JSON.stringify(it.grant), it.lastUsed, it.unused90d ? 1 : 0),
    ),
  ]);
  await audit(env, { actor, action: "agent.access_review.open", resource: `access-reviews/${id}`, detail: { period, items: items.length, unused_90d: items.filter((i) => i.unused90d).length } });
  return { id, created: true };
}

/** Raises one critical alert per campaign still open past its due date. */
export async function escalateOverdueReviews(env: Env, now: number): Promise<number> {
  const { results } = await configDb(env).prepare("SELECT id, period, due_at FROM access_reviews WHERE status = 'open' AND due_at < ? AND escalated_at IS NULL").bind(new Date(now).toISOString()).all<{ id: string; period: string; due_at: string }>();
  for (const r of results) {
    const pending = await configDb(env).prepare("SELECT count(*) AS n FROM access_review_items WHERE review_id = ? AND decision IS NULL").bind(r.id).first<{ n: number }>();
    await raiseAlert(env, { kind: "access_review_overdue", severity: "critical", title: `Agent access review ${r.period} is overdue`, evidence: { review: r.id, due_at: r.due_at, undecided_items: pending?.n ?? 0 } });
    await configDb(env).prepare("UPDATE access_reviews SET escalated_at = ? WHERE id = ?").bind(new Date(now).toISOString(), r.id).run();
    await audit(env, { actor: "cron:access-review-escalation", action: "agent.access_review.escalate", resource: `access-reviews/${r.id}` });
  }
  return results.length;
}
