/**
 * @module
 * Request ids. Every request gets the gateway's own id, unique and time-ordered (UUIDv7, RFC
 * 9562): it is the primary key of usage events and request logs and names stored bodies, so no
 * client can collide with, hide or reach another request's records. The client's
 * `x-request-id` is kept apart as a correlation field only (never a key), when well-formed.
 */

/**
 * A UUIDv7: 48-bit Unix milliseconds, then 74 random bits. Time-ordered, so D1 indexes and R2
 * listings by id stay roughly in arrival order. Built from the runtime's `randomUUID()` (a v4:
 * its random bits and variant are kept, its time-less first 48 bits and version replaced), which
 * costs less per request than formatting 16 random bytes in script.
 * @example gatewayRequestId() // "019ad3c1-5f2e-7a41-9c3b-2f1e0d9a8b7c"
 */
export function gatewayRequestId(now = Date.now()): string {
  const v4 = crypto.randomUUID(); // xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx
  const ms = now.toString(16).padStart(12, "0");
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${v4.slice(15, 18)}-${v4.slice(19)}`;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The client's `x-request-id` when well-formed (it is echoed in a response header, so only
 * header-safe characters), otherwise none.
 * @example clientRequestId("job-42") === "job-42"; clientRequestId("a b") === undefined
 */
export function clientRequestId(header: string | null): string | undefined {
  return header && CLIENT_REQUEST_ID.test(header) ? header : undefined;
}
