// One DevTools-protocol session on a Worker's isolate through workerd's inspector (Miniflare's
// `inspectorPort`), for the profiler (profile.mjs) and the soak's heap probe (soak.mjs).
// undici's WebSocket (a dependency of miniflare): Node 20 has no global WebSocket.
import { WebSocket } from "undici";

/**
 * Connects to the inspector target of `workerName` (exact title first; then a title containing
 * it, preferring the isolate itself over its sub-targets, whose titles carry a ":").
 * @returns {Promise<{ call(method: string, params?: object): Promise<any>, title: string, close(): void }>}
 */
export async function openInspector(port, workerName = "switchyard") {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const title = (t) => String(t.title ?? t.id);
  const target = targets.find((t) => title(t) === workerName)
    ?? targets.find((t) => title(t).includes(workerName) && !title(t).includes(":"))
    ?? targets.find((t) => title(t).includes(workerName));
  if (!target) throw new Error(`no inspector target for ${workerName}: ${targets.map((t) => t.title).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let next = 1;
  const pending = new Map();
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e.data));
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  };
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { call, title: target.title, close: () => ws.close() };
}
