// The baseline: a bare pass-through Worker that forwards the request to the upstream and
// returns its answer untouched. The gateway's cost is measured as a ratio against this.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname.replace(/^\/v1/, "/v1"), {
      method: request.method,
      headers: { "content-type": "application/json" },
      body: request.body,
    });
  },
};
