/**
 * @module
 * How a streamed chat answer ended, for code that runs after the response (the workloads hook
 * samples streams with it). The pipeline already assembles the streamed text (after response
 * DLP) for its usage event and request log; it attaches that same promise to the Response it
 * returns, so a post-response hook reads it without teeing or re-parsing the stream. A WeakMap:
 * nothing outlives the Response, and the hot path pays one map write per stream.
 */

export interface StreamOutcome {
  /** The text the client received (response DLP applied). */
  content: string;
  finishReason: string | null;
  /** The class after response DLP (a finding may raise it). */
  dataClass: string;
  /** The stream broke off (upstream error) or the client went away. */
  incomplete: boolean;
}

const outcomes = new WeakMap<Response, Promise<StreamOutcome | undefined>>();

/** Attaches the outcome of a streamed answer to its Response (the chat pipeline does this). */
export function attachStreamOutcome(response: Response, outcome: Promise<StreamOutcome | undefined>): Response {
  outcomes.set(response, outcome.catch(() => undefined));
  return response;
}

/**
 * The outcome of a streamed answer, settling when the stream has ended; undefined for a response
 * that is not a pipeline stream.
 * @example const done = streamOutcome(res); if (done) ctx.waitUntil(done.then(sample))
 */
export function streamOutcome(response: Response): Promise<StreamOutcome | undefined> | undefined {
  return outcomes.get(response);
}
