// The queues each region's Worker produces to and consumes from, dead-letter queues included, as
// wrangler.toml names them. `wrangler deploy` does not create queues, and a consumer whose
// dead-letter queue does not exist cannot be deployed, so scripts/deploy-regions.mjs creates them
// first (re-runs are fine: "already exists" is not an error).

/**
 * Queue names per [env.<region>] block of wrangler.toml, in order of first mention, no repeats.
 * @param {string} toml
 * @returns {Record<string, string[]>}
 * @example queueNames('[env.eu]\nqueues.consumers = [{ queue = "a", dead_letter_queue = "a-dlq" }]') // { eu: ["a", "a-dlq"] }
 */
export function queueNames(toml) {
  const out = {};
  for (const section of toml.split(/^\[env\./m).slice(1)) {
    const region = section.slice(0, section.indexOf("]"));
    const names = [...section.matchAll(/\b(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    if (names.length) out[region] = [...new Set(names)];
  }
  return out;
}
