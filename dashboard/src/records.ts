/**
 * @module
 * "Every number links to the records behind it": a number is a link carrying the admin API path
 * of its records; activating it opens a panel (a modal <dialog>, Esc closes it) that reads that
 * path and shows the answer as a sortable, filterable table.
 */
import { apiGet, ApiError } from "./api";
import { h, replace, type Child } from "./dom";
import { dataTable } from "./table";

/**
 * A number that opens its records.
 * @example recordsLink("$1,234", "/admin/v1/usage?team=platform")
 */
export function recordsLink(text: Child, path: string, label?: string): HTMLAnchorElement {
  return h("a", { class: "num", href: `#records:${path}`, "data-records": path, title: label ?? `Records: ${path}` }, text);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The list of records inside an answer: the answer itself, its `data`, or its first array field. */
function recordsOf(body: Json): Json[] | null {
  if (Array.isArray(body)) return body;
  if (body && typeof body === "object") {
    if (Array.isArray(body.data)) return body.data;
    for (const v of Object.values(body)) if (Array.isArray(v) && v.length && typeof v[0] === "object") return v;
  }
  return null;
}

function cell(v: Json | undefined): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function render(path: string, body: Json): Child {
  if (typeof body === "string") return h("pre", { class: "raw" }, body);
  const rows = recordsOf(body);
  if (rows && rows.every((r) => r && typeof r === "object" && !Array.isArray(r))) {
    const objects = rows as Array<Record<string, Json>>;
    const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))].slice(0, 14);
    return dataTable({ name: "records", caption: `${rows.length} records`, rows: objects, columns: keys.map((k) => ({ label: k, value: (r: Record<string, Json>) => cell(r[k]) })) });
  }
  const entries = body && typeof body === "object" && !Array.isArray(body) ? Object.entries(body) : [["value", body] as [string, Json]];
  return dataTable({ name: "records", caption: "Fields", rows: entries, columns: [{ label: "field", value: (e) => e[0] }, { label: "value", value: (e) => cell(e[1]) }] });
}

let dialog: HTMLDialogElement | null = null;

/** Opens the records panel for an admin API path. */
export async function openRecords(path: string, opener?: HTMLElement): Promise<void> {
  if (!dialog) {
    dialog = h("dialog", { class: "records", "aria-labelledby": "records-title" });
    document.body.append(dialog);
    dialog.addEventListener("close", () => (dialog as HTMLDialogElement & { opener?: HTMLElement }).opener?.focus());
  }
  const body = h("div", { class: "records-body" }, h("p", { class: "loading" }, "Loading records…"));
  replace(dialog,
    h("header", {},
      h("h2", { id: "records-title" }, "Records"),
      h("code", { class: "path" }, `GET ${path}`),
      h("button", { type: "button", class: "close", onclick: () => dialog?.close() }, "Close"),
    ),
    body,
  );
  (dialog as HTMLDialogElement & { opener?: HTMLElement }).opener = opener;
  dialog.showModal();
  try {
    replace(body, render(path, await apiGet<Json>(path)));
  } catch (err) {
    replace(body, h("p", { class: "error", role: "alert" }, err instanceof ApiError ? `The API answered ${err.status}: ${err.detail}` : String(err)));
  }
}

/** One listener for every records link on the page (links are created and destroyed per view). */
export function installRecordsLinks(root: HTMLElement): void {
  root.addEventListener("click", (e) => {
    const link = (e.target as HTMLElement).closest<HTMLAnchorElement>("a[data-records]");
    if (!link) return;
    e.preventDefault();
    void openRecords(link.dataset.records!, link);
  });
}
