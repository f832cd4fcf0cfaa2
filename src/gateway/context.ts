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
import { dlpDetail, redactChatRequest, redactEmbeddingsRequest, type DlpOutcome } from "../guardrails/dlp-request";
import type { ChatCompletionRequest, EmbeddingsRequest } from "./schemas";
import type { CacheStatus, UsageEvent } from "../usage/event";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "./body";
import { authorizeKey, authorizeModel, bearerToken, declaredDataClass, effectiveDataClass, type Caller } from "./policy";

export interface GatewayDeps {
  env: Env;
  ctx: { waitUntil(p: Promise<unknown>): void };
}

export interface RequestMeta {
  requestId: string;
  startedAt: number;
  region: string;
}

/** The usage event under construction; every path fills what it knows. */
export function blankUsage(meta: RequestMeta): UsageEvent {
  return {
    request_id: meta.requestId,
    ts: new Date(meta.startedAt).toISOString(),
    team: null,
    workload: null,
    key_id: null,
    model: null,
    provider: null,
    region: meta.region,
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

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed client `x-request-id`, otherwise makes one. */
export function requestIdFrom(header: string | null): string {
  return header && REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/** Where and when a data-plane request started. */
export function requestMeta(request: Request, env: Pick<GatewayDeps["env"], "REGION">): RequestMeta {
  return { requestId: requestIdFrom(request.headers.get("x-request-id")), startedAt: Date.now(), region: env.REGION };
}

const keyHashes = new WeakMap<Request, Promise<string>>();

/**
 * SHA-256 of the request's API key, computed once per request: residency forwarding and the
 * pipeline both need it. Throws the 401 of {@link bearerToken} when there is no bearer key.
 */
export function apiKeyHash(request: Request): Promise<string> {
  let hash = keyHashes.get(request);
  if (!hash) {
    hash = sha256Hex(bearerToken(request.headers.get("authorization")));
    keyHashes.set(request, hash);
  }
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
  // Facts shadow-agent discovery reads later: who says they are calling (never content).
  const userAgent = request.headers.get("user-agent");
  const agent = request.headers.get("x-switchyard-agent");
  usage.detail = { ...usage.detail, ...(userAgent ? { user_agent: userAgent.slice(0, 200) } : {}), ...(agent ? { agent: agent.slice(0, 128) } : {}) };
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
  usage.model = body.model;
  // Tool names (never arguments) are a shadow-agent signal: automated clients declare tools.
  const tools = (body as { tools?: Array<{ function?: { name?: unknown } }> }).tools;
  if (Array.isArray(tools) && tools.length > 0) {
    usage.detail = { ...usage.detail, tools: tools.slice(0, 20).map((t) => String(t.function?.name ?? "").slice(0, 64)) };
  }
  // DLP before anything else sees the body: redactions replace the body, findings raise the class.
  const dlp = kind === "chat"
    ? redactChatRequest(caller.workload.dlpPolicy, body as unknown as ChatCompletionRequest)
    : redactEmbeddingsRequest(caller.workload.dlpPolicy, body as unknown as EmbeddingsRequest);
  usage.detail = { ...usage.detail, ...dlpDetail("request", dlp.outcome) };
  const dataClass = effectiveDataClass(caller.workload.default_data_class, declared, dlp.outcome.raiseTo);
  usage.data_class = dataClass;
  if (dlp.outcome.blocked.length) {
    throw forbidden(`Request blocked by data-loss prevention: it contains ${dlp.outcome.blocked.join(", ")} (rule: workload.dlp).`, "dlp_blocked");
  }
  const model = authorizeModel(bundle, caller, body.model, kind, dataClass);
  return { bundle, caller, body: dlp.body as unknown as z.infer<S>, model, dataClass, declared, dlp: dlp.outcome };
}
