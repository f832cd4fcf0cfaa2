// The floor: the least a gateway must do, with nothing else. It reads and parses the request,
// forwards it re-serialised, parses a JSON answer and serialises it again (streams pass through
// untouched), and sends one usage event per request, packed per isolate every 20 ms like the
// gateway's (src/usage/emit.ts); its consumer only acknowledges. Next to the pass-through it shows
// how much of the ratio this runtime spends before any guardrail runs.
//
// With `x-floor-stream-usage: 1`, a stream is read on its way through instead, only to take the
// token usage from its last chunk for the event (the bench's *accounting floor* for streams:
// a gateway that bills streams must at least do this; see README, Performance).
let open;

/** Passes a stream's bytes on unchanged, keeping its tail; the usage chunk is parsed at the end. */
function usageTap(onUsage) {
  const decoder = new TextDecoder();
  let tail = "";
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-2048);
    },
    flush() {
      const line = tail.split("\n").reverse().find((l) => l.startsWith("data: {") && l.includes('"usage"'));
      onUsage(line ? JSON.parse(line.slice(6)).usage ?? null : null);
    },
  });
}

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
    if (body.stream && request.headers.get("x-floor-stream-usage") === "1") {
      let done;
      ctx.waitUntil(new Promise((resolve) => (done = resolve)));
      const tapped = res.body.pipeThrough(usageTap((usage) => (emit(env, ctx, { ...event, usage, latency_ms: Date.now() - started }), done())));
      return new Response(tapped, { headers: { "content-type": "text/event-stream" } });
    }
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
