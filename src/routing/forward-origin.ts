/**
 * @module
 * Which region forwarded a request, known only for requests whose signed forward header verified
 * (src/routing/forward.ts sets it; the pipeline reads it into the usage event's `forwarded_from`).
 * Keyed by the Request object itself, never by a header, so nothing a client sends can set it.
 */
const verifiedOrigins = new WeakMap<Request, string>();

/** Marks `request` as forwarded by `region` (after its signature verified). */
export function markForwarded(request: Request, region: string): void {
  verifiedOrigins.set(request, region);
}

/**
 * The region that forwarded this request here, if its forward header verified.
 * @example usage.forwarded_from = forwardedFrom(request) ?? null
 */
export function forwardedFrom(request: Request): string | undefined {
  return verifiedOrigins.get(request);
}
