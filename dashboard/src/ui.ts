/**
 * @module
 * Building blocks the views share: a section that loads on its own and shows what went wrong
 * (not allowed for this role, not available on this gateway, failed), and KPI tiles whose number
 * links to its records.
 */
import { ApiError } from "./api";
import { h, replace, type Child } from "./dom";
import { recordsLink } from "./records";

/**
 * A titled section whose body comes from `load`. A 403 shows "not allowed for your role", a 404
 * "not available on this gateway yet"; either way the rest of the view still renders.
 * @example section("Teams", async () => dataTable(...))
 */
export function section(title: string, load: () => Promise<Child>, opts: { name?: string; wide?: boolean } = {}): HTMLElement {
  const body = h("div", { class: "section-body", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading…"));
  const el = h("section", { class: opts.wide === false ? "card" : "card wide", "data-section": opts.name ?? title, "data-state": "loading" },
    h("h2", {}, title), body);
  load().then(
    (content) => { replace(body, content); el.dataset.state = "ready"; },
    (err: unknown) => {
      const status = err instanceof ApiError ? err.status : 0;
      el.dataset.state = status === 403 ? "forbidden" : status === 404 ? "unavailable" : "error";
      replace(body, h("p", { class: `notice ${el.dataset.state}`, role: status === 403 || status === 404 ? undefined : "alert" },
        status === 403 ? "Not allowed for your role: the admin API refused this read (403)."
          : status === 404 ? "Not available on this gateway yet (404)."
            : `Could not load: ${err instanceof Error ? err.message : String(err)}`));
    },
  ).finally(() => body.removeAttribute("aria-busy"));
  return el;
}

/** A KPI tile: label, a number linking to its records, and an optional note. */
export function kpi(label: string, value: string, path: string, note?: Child, tone?: "good" | "warn" | "bad"): HTMLElement {
  return h("div", { class: `kpi${tone ? ` ${tone}` : ""}`, "data-kpi": label },
    h("span", { class: "kpi-label" }, label),
    h("span", { class: "kpi-value" }, recordsLink(value, path, `${label}: open the records`)),
    note ? h("span", { class: "kpi-note" }, note) : null);
}

export function kpiRow(...tiles: HTMLElement[]): HTMLElement {
  return h("div", { class: "kpis" }, tiles);
}

/** A status badge (met, pass, open…) with text, never colour alone. */
export function badge(text: string, tone: "good" | "warn" | "bad" | "neutral" = "neutral"): HTMLElement {
  return h("span", { class: `badge ${tone}` }, text);
}

export function stack(...children: Child[]): HTMLElement {
  return h("div", { class: "stack" }, children);
}
