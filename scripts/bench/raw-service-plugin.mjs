// A Miniflare plugin with one job: bind a Worker to one of the instance's own internal services by
// name, as a plain fetcher (workerd's `service` binding). The bench's storage process uses it to reach
// the local R2 simulator with R2's raw wire protocol (./storage.mjs). Loaded by Miniflare through
// `unsafeBindings: [{ type, plugin: { package: <this file>, name }, options: { service } }]`.

/** @type {Record<string, import("miniflare").Plugin>} */
export const plugins = {
  "switchyard-raw-service": {
    getBindings(bindings) {
      return (bindings ?? []).map((b) => ({ name: b.name, service: { name: b.options.service } }));
    },
    getNodeBindings() {
      return {};
    },
    getServices() {
      return [];
    },
  },
};
