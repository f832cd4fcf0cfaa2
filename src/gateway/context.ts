/**
 * @module
 * What every data-plane request carries through the pipeline, and the shared first steps
 * (request id, auth, body, model and class decisions) of chat and embeddings.
 */
import type { z } from "zod";
import type { ModelPolicy, PolicyBundle } from "../config/bundle";
import { getBundle } from "../config/loader";
import { sha256Hex } from "../config/secrets";
import type { DataClass } from "../config/schemas";
import type { Env } from "../env";
import { badRequest, forbidden } from "../errors/openai";
import { dlpDetail, redactChatRequest, redactEmbeddingsRequest, unscannableRefusal, type DlpOutcome } from "../guardrails/dlp-request";
import type { ChatCompletionRequest, EmbeddingsRequest } from "./schemas";
import type { CacheStatus, UsageEvent } from "../usage/event";
import { forwardedFrom } from "../routing/forward-origin";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "./body";
import { BoundedMap } from "./memo";
import { clientRequestId, gatewayRequestId } from "./request-id";
import { authorizeKey, authorizeModel, declaredDataClass, requestApiKey, effectiveDataClass, type Caller } from "./policy";
import { activeDlpPolicy, impliedClass } from "../governance/runtime";
import { evalLabel, pinCandidate } from "../workloads/mark";

export interface GatewayDeps {
  env: Env;
  ctx: { waitUntil(p: Promise<unknown>): void };
}

export interface RequestMeta {
  /** The gateway's own id (src/gateway/request-id.ts): the key of every record of the request. */
  requestId: string;
  /** The client's well-formed `x-request-id`, a correlation field only. */
  clientRequestId?: string;
  startedAt: number;
  region: string;
  /** The region whose edge forwarded this request here (verified signature only). */
  forwardedFrom?: string;
}

/** The usage event under construction; every path fills what it knows. */
export function blankUsage(meta: RequestMeta): UsageEvent {
  return {
    request_id: meta.requestId,
    client_request_id: meta.clientRequestId ?? null,
    ts: new Date(meta.startedAt).toISOString(),
    team: null,
    workload: null,
    key_id: null,
    model: null,
    provider: null,
    region: meta.region,
    forwarded_from: meta.forwardedFrom ?? null,
    tokens_in: 0,
    tokens_out: 0,
    cost_nusd: 0,
    latency_ms: 0,
    ttfb_ms: null,
    status: 0,
    error_code: null,
    data_class: null,
    cache: "off" as CacheStatus,
    estimated: false,
    route: null,
  };
}

/**
 * Adds facts to the usage event's `detail`, creating it on first use, and returns it. In place:
 * a detail object belongs to one request's event (it is made fresh per request, never shared),
 * so no copy is needed.
 * @example addDetail(usage, { guard_ms: 3 })
 */
export function addDetail(usage: UsageEvent, facts: Record<string, unknown>): Record<string, unknown> {
  return Object.assign((usage.detail ??= {}), facts);
}

/**
 * Where and when a data-plane request started, under the gateway's own id; the client's
 * `x-request-id` rides along as a correlation field only.
 */
export function requestMeta(request: Request, env: Pick<GatewayDeps["env"], "REGION">): RequestMeta {
  const startedAt = Date.now();
  const meta: RequestMeta = { requestId: gatewayRequestId(startedAt), startedAt, region: env.REGION };
  const client = clientRequestId(request.headers.get("x-request-id"));
  if (client) meta.clientRequestId = client;
  const from = forwardedFrom(request);
  if (from) meta.forwardedFrom = from;
  return meta;
}

/** Real keys are 46 characters (`newApiKey`); longer tokens are hashed but not remembered. */
const MEMO_MAX_TOKEN_CHARS = 128;

/**
 * API key → SHA-256 hex, per isolate, so a key is hashed once per isolate instead of on every
 * request (residency forwarding and the pipeline both ask). Safe to keep: the hash is not a
 * secret (it is what the policy bundle stores and looks keys up by), the raw key has already
 * passed through this isolate's memory with the request, and whether a key is valid, revoked or
 * expired is still decided per request from the bundle. Only finished hashes are stored, never
 * a promise, so no request waits on another request's work. Bounded in entries and token length
 * (10 000 entries of ≤ 128 characters: a few MB at most), so a flood of made-up tokens only
 * evicts older entries.
 */
const keyHashes = new BoundedMap<string, string>(10_000);

/**
 * SHA-256 of the request's API key. Rejects with the 401 of {@link requestApiKey} when there is
 * no key (Bearer or `x-api-key`).
 */
export async function apiKeyHash(request: Request): Promise<string> {
  const token = requestApiKey(request.headers);
  const known = keyHashes.get(token);
  if (known !== undefined) return known;
  const hash = await sha256Hex(token);
  if (token.length <= MEMO_MAX_TOKEN_CHARS) keyHashes.set(token, hash);
  return hash;
}

/** Who is calling: the key's caller in the current policy bundle, or a 401. */
export async function authenticate(request: Request, deps: GatewayDeps): Promise<{ bundle: PolicyBundle; caller: Caller }> {
  const hash = await apiKeyHash(request);
  const bundle = await getBundle(deps.env, deps.ctx);
  return { bundle, caller: authorizeKey(bundle, hash, Date.now()) };
}

export interface Prepared<T> {
  bundle: PolicyBundle;
  caller: Caller;
  body: T;
  model: ModelPolicy;
  dataClass: DataClass;
  declared: DataClass | undefined;
  /** What request DLP found (types and counts only). */
  dlp: DlpOutcome;
}

/**
 * Facts shadow-agent discovery reads later: who says they are calling and which tools it
 * declares (names only, never arguments or content). Client-sent text, so only for requests
 * whose final class is not restricted.
 */
function recordClientFacts(request: Request, body: unknown, usage: UsageEvent): void {
  const userAgent = request.headers.get("user-agent");
  const agent = request.headers.get("x-switchyard-agent");
  const tools = (body as { tools?: Array<{ function?: { name?: unknown } }> }).tools;
  if (!userAgent && !agent && !(Array.isArray(tools) && tools.length > 0)) return;
  const detail = (usage.detail ??= {});
  if (userAgent) detail.user_agent = userAgent.slice(0, 200);
  if (agent) detail.agent = agent.slice(0, 128);
  // Automated clients declare tools: a shadow-agent signal.
  if (Array.isArray(tools) && tools.length > 0) {
    detail.tools = tools.slice(0, 20).map((t) => String(t.function?.name ?? "").slice(0, 64));
  }
}

/**
 * Auth → body → model → data class, filling the usage event as it learns things.
 * Throws GatewayError for every refusal.
 */
export async function prepare<S extends z.ZodType>(
  request: Request,
  deps: GatewayDeps,
  usage: UsageEvent,
  schema: S,
  kind: "chat" | "embeddings",
): Promise<Prepared<z.infer<S>>> {
  const { bundle, caller } = await authenticate(request, deps);
  usage.team = caller.team.id;
  usage.workload = caller.workload.id;
  usage.key_id = caller.key.id;
  // Eval traffic (golden, adversarial, judge) is labelled in usage; only in-process requests carry it.
  const label = evalLabel(request);
  if (label) addDetail(usage, { eval: label });
  const declared = declaredDataClass(request.headers.get("x-data-class"));
  const limit = Number(deps.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES);
  const raw = parseJsonBody(await readBodyText(request, limit));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join(".");
    throw badRequest(`Invalid request body: ${path ? `${path}: ` : ""}${issue.message}`, path || null);
  }
  const body = parsed.data as z.infer<S> & { model: string };
  // DLP before anything else sees the body: redactions replace the body, findings raise the class.
  // An unexpired governance exemption swaps in its DLP actions (src/governance/runtime.ts).
  const dlpPolicy = activeDlpPolicy(caller.workload, Date.now());
  const dlp = kind === "chat"
    ? redactChatRequest(dlpPolicy, body as unknown as ChatCompletionRequest)
    : redactEmbeddingsRequest(dlpPolicy, body as unknown as EmbeddingsRequest);
  addDetail(usage, dlpDetail("request", dlp.outcome));
  // The classification scheme's class holds even when the value was redacted (DESIGN §5).
  const schemeClass = impliedClass(bundle.governance, dlp.outcome.types);
  const dataClass = effectiveDataClass(caller.workload.default_data_class, declared, dlp.outcome.raiseTo, schemeClass);
  // What a what-if replay needs later: the declared class (DLP types are in dlp_request already).
  if (declared) addDetail(usage, { declared_class: declared });
  usage.data_class = dataClass;
  // Client-sent text reaches the usage row only once the class is known and not restricted: a
  // restricted request stores catalog-validated values only (issue 16.5).
  // Tool names come from the redacted body: a name is client text and goes into a store.
  if (dataClass !== "restricted") recordClientFacts(request, dlp.body, usage);
  // The model column holds a catalog id, never the client's string before the catalog check.
  if (bundle.models.has(body.model)) usage.model = body.model;
  if (dlp.outcome.blocked.length) {
    throw forbidden(`Request blocked by data-loss prevention: it contains ${dlp.outcome.blocked.join(", ")} (rule: workload.dlp).`, "dlp_blocked");
  }
  const unscannable = unscannableRefusal(dlp.outcome, dataClass);
  if (unscannable) throw unscannable;
  const authorized = authorizeModel(bundle, caller, body.model, kind, dataClass);
  // Upgrade evaluation pins a candidate version of one target (only in-process eval requests).
  const model = label?.candidate ? pinCandidate(authorized, label.candidate) : authorized;
  if (!model) throw forbidden(`Candidate target ${label?.candidate?.provider} is not a target of model ${authorized.id}.`, "candidate_not_a_target");
  return { bundle, caller, body: dlp.body as unknown as z.infer<S>, model, dataClass, declared, dlp: dlp.outcome };
}
