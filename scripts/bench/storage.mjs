// The bench's storage process: the gateway's D1 database and R2 bucket served by a workerd process
// of their own, as deployed (D1 and R2 run on Cloudflare's servers, not on the Worker's thread).
//
// Why: Miniflare runs its D1 and R2 simulators on the same workerd thread as the Worker. The usage
// consumer's writes then stall requests: the R2 simulator alone computes five digests (MD5 to
// SHA-512) in a JavaScript stream over every byte put, ~150 ms per second of 10 KB traffic. That is
// the local runtime's cost, not the gateway's, and it was most of the bench's p99 (README, Performance).
//
// How: the gateway binds DB and BLOBS through Miniflare's remote-proxy client (the transport wrangler
// uses for remote bindings), whose fetches carry the binding's own wire protocol wrapped in `MF-*`
// headers. This process answers them: D1's HTTP protocol through the control store's Worker
// (scripts/lib/control-store.mjs), and R2's by unwrapping the request and handing it, unchanged, to
// the local R2 simulator's service, bound raw through a one-binding Miniflare plugin
// (./raw-service-plugin.mjs). Local benchmarking only: it listens on loopback, unauthenticated.
import path from "node:path";
import { Miniflare } from "miniflare";
import { CONTROL_STORE_SCRIPT } from "../lib/control-store.mjs";

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Routes a remote-proxy request by its `MF-Binding` header: DB to the D1 answerer, BLOBS to the raw R2 service. */
const FRONT_SCRIPT = `
export default {
  async fetch(request, env) {
    const binding = request.headers.get("MF-Binding");
    if (binding === "DB") return env.D1.fetch(request);
    if (binding !== "BLOBS") return new Response("unknown binding " + binding, { status: 400 });
    const headers = new Headers();
    for (const [name, value] of request.headers) if (name.startsWith("mf-header-")) headers.set(name.slice(10), value);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return env.RAW_R2.fetch(new Request(request.headers.get("MF-URL"), { method: request.method, headers, body: hasBody ? request.body : null }));
  },
};
`;

/**
 * Starts the storage process with the D1 database `d1Id` and the R2 bucket `bucketId` persisted
 * under `persistDir` (the same layout `startGateway` uses, so migrations applied there are seen).
 * @param {{ persistDir: string, d1Id: string, bucketId: string }} opts
 * @returns {Promise<{ url: URL, bindings: { d1Databases: object, r2Buckets: object }, d1(): Promise<D1Database>, dispose(): Promise<void> }>}
 */
export async function startStorage({ persistDir, d1Id, bucketId }) {
  const mf = new Miniflare({
    workers: [
      {
        name: "bench-storage",
        modules: true,
        script: FRONT_SCRIPT,
        compatibilityDate: "2026-04-20",
        serviceBindings: { D1: "bench-storage-d1" },
        // The bucket's simulator service exists because of this binding; RAW_R2 reaches it directly.
        r2Buckets: { BLOBS: bucketId },
        unsafeBindings: [{ name: "RAW_R2", type: "raw-service", plugin: { package: path.join(HERE, "raw-service-plugin.mjs"), name: "switchyard-raw-service" }, options: { service: `r2:bucket:${bucketId}` } }],
      },
      { name: "bench-storage-d1", modules: true, script: CONTROL_STORE_SCRIPT, compatibilityDate: "2026-04-20", d1Databases: { CONTROL: d1Id } },
    ],
    host: "127.0.0.1",
    port: 0,
    d1Persist: path.join(persistDir, "d1"),
    r2Persist: path.join(persistDir, "r2"),
  });
  const url = await mf.ready;
  return {
    url,
    bindings: {
      d1Databases: { DB: { id: d1Id, remoteProxyConnectionString: url } },
      r2Buckets: { BLOBS: { id: bucketId, remoteProxyConnectionString: url } },
    },
    d1: () => mf.getD1Database("CONTROL", "bench-storage-d1"),
    dispose: () => mf.dispose(),
  };
}
