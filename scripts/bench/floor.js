// The floor: the least a gateway must do, with nothing else. It reads and parses the request,
// forwards it re-serialised, parses a JSON answer and serialises it again (streams pass through
// untouched), and sends one usage event per request, packed per isolate every 20 ms like the
// gateway's (src/usage/emit.ts); its consumer only acknowledges. Next to the pass-through it shows
// how much of the ratio this runtime spends before any guardrail runs.
let open;

function emit(env, ctx, event) {
  const text = JSON.stringify(event);
  if (open && open.length < 100) return void open.push(text);
  const batch = (open = [text]);
  ctx.waitUntil(
    new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
      if (open === batch) open = undefined;
      return env.USAGE.send(`{"type":"pack","messages":[${batch.join(",")}]}`, { contentType: "text" });
    }),
  );
}

export default {
  async fetch(request, env, ctx) {
    const started = Date.now();
    const body = JSON.parse(await request.text());
    const res = await fetch(env.UPSTREAM + new URL(request.url).pathname, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const event = { id: crypto.randomUUID(), ts: new Date(started).toISOString(), model: body.model, status: res.status };
    if (body.stream) {
      emit(env, ctx, event);
      return new Response(res.body, { headers: { "content-type": "text/event-stream" } });
    }
    const answer = await res.json();
    emit(env, ctx, { ...event, usage: answer.usage, latency_ms: Date.now() - started });
    return new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
  },
  async queue(batch) {
    batch.ackAll();
  },
};
