/**
 * @module
 * `POST /v1/feedback`: a developer answers an NPS round with their API key. One response per key
 * per round (a second one is refused with 409, so nothing is counted twice). The comment goes
 * through the key's workload DLP policy like any prompt: blocked types refuse the response,
 * redactions are applied before it is stored, and a comment of restricted class is not stored.
 */
import { z } from "zod";
import { DATA_CLASS_RANK, type DataClass } from "../config/schemas";
import { applyDlp } from "../dlp";
import { badRequest, errorResponse, forbidden, GatewayError, notFound } from "../errors/openai";
import { SURVEY_AREAS } from "../operations/nps/math";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBodyText } from "./body";
import { responseHeaders, toGatewayError } from "./chat";
import { authenticate, requestMeta, type GatewayDeps } from "./context";

const Score = z.number().int().min(0).max(10);

export const FeedbackBody = z
  .object({
    survey_id: z.string().min(1).max(128),
    would_recommend: Score,
    scores: z.object(Object.fromEntries(SURVEY_AREAS.map((a) => [a, Score.optional()])) as Record<(typeof SURVEY_AREAS)[number], z.ZodOptional<typeof Score>>).strict(),
    comment: z.string().max(4_000).optional(),
  })
  .strict();

/**
 * @example await handleFeedback(request, { env, ctx })
 */
export async function handleFeedback(request: Request, deps: GatewayDeps): Promise<Response> {
  const meta = requestMeta(request, deps.env);
  try {
    const { caller } = await authenticate(request, deps);
    const parsed = FeedbackBody.safeParse(parseJsonBody(await readBodyText(request, Number(deps.env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES))));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(`Invalid feedback: ${issue.path.join(".") || "(body)"}: ${issue.message}`, issue.path.join(".") || null);
    }
    const body = parsed.data;
    const survey = await deps.env.DB.prepare("SELECT closes_at FROM surveys WHERE id = ?").bind(body.survey_id).first<{ closes_at: string }>();
    if (!survey) throw notFound(`No survey ${body.survey_id}.`, "survey_not_found", "survey_id");
    if (Date.parse(survey.closes_at) <= meta.startedAt) throw new GatewayError(409, "invalid_request_error", "survey_closed", `Survey ${body.survey_id} closed at ${survey.closes_at}.`, "survey_id");
    let comment: string | null = null;
    if (body.comment) {
      const dlp = applyDlp(caller.workload.dlpPolicy, body.comment);
      if (dlp.blocked.length) throw forbidden(`Comment blocked by data-loss prevention: it contains ${dlp.blocked.join(", ")} (rule: workload.dlp).`, "dlp_blocked");
      const cls: DataClass = dlp.raiseTo && DATA_CLASS_RANK[dlp.raiseTo] > DATA_CLASS_RANK[caller.workload.default_data_class] ? dlp.raiseTo : caller.workload.default_data_class;
      // Restricted content is never stored anywhere; the scores still count.
      comment = cls === "restricted" ? null : dlp.redactedText;
    }
    const res = await deps.env.DB.prepare(
      `INSERT INTO survey_responses (survey_id, key_id, team, workload, would_recommend, scores, comment, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(survey_id, key_id) DO NOTHING`,
    ).bind(body.survey_id, caller.key.id, caller.team.id, caller.workload.id, body.would_recommend, JSON.stringify(body.scores), comment, new Date().toISOString()).run();
    if (res.meta.changes === 0) {
      throw new GatewayError(409, "invalid_request_error", "already_responded", `This API key already answered survey ${body.survey_id}; one response per key per round.`, "survey_id");
    }
    return Response.json({ object: "feedback", survey_id: body.survey_id, recorded: true, comment_stored: comment !== null }, { status: 201, headers: responseHeaders(meta, {}) });
  } catch (err) {
    return errorResponse(toGatewayError(err), responseHeaders(meta, {}));
  }
}
