/**
 * @module
 * Request ids. Every request gets the gateway's own id, unique and time-ordered (UUIDv7, RFC
 * 9562): it is the primary key of usage events and request logs and names stored bodies, so no
 * client can collide with, hide or reach another request's records. The client's
 * `x-request-id` is kept apart as a correlation field only (never a key), when well-formed.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A UUIDv7: 48-bit Unix milliseconds, then 74 random bits. Time-ordered, so D1 indexes and R2
 * listings by id stay roughly in arrival order.
 * @example gatewayRequestId() // "019ad3c1-5f2e-7a41-9c3b-2f1e0d9a8b7c"
 */
export function gatewayRequestId(now = Date.now()): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  // 48-bit big-endian milliseconds: split, since bitwise operators only reach 32 bits.
  const high = Math.floor(now / 2 ** 32);
  const low = now >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = low >>> 24;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = Array.from(b, (x) => HEX[x]);
  return `${h.slice(0, 4).join("")}-${h.slice(4, 6).join("")}-${h.slice(6, 8).join("")}-${h.slice(8, 10).join("")}-${h.slice(10).join("")}`;
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
