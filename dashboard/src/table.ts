/**
 * @module
 * A data table that sorts (click, Enter or Space on a column header: real buttons, with
 * aria-sort on the header) and filters (a labelled text box; every word must match).
 */
import { h, replace, type Child } from "./dom";
import { filterRows, nextSort, sortRows, type CellValue, type SortDirection } from "./table-model";

export interface Column<R> {
  label: string;
  /** The value sorting and filtering use. */
  value: (row: R) => CellValue;
  /** What the cell shows (default: the value as text). */
  render?: (row: R) => Child;
  numeric?: boolean;
}

export interface TableOptions<R> {
  caption: string;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
  /** Shown when there are no rows at all. */
  empty?: string;
  /** Initial sort. */
  sort?: { column: number; direction: SortDirection };
  /** A stable name for tests and for the filter box's id. */
  name: string;
}

let uid = 0;

/**
 * Renders the table with its filter box.
 * @example dataTable({ name: "teams", caption: "Teams", columns: [{ label: "Team", value: (t) => t.id }], rows })
 */
export function dataTable<R>(opts: TableOptions<R>): HTMLElement {
  const id = `t-${opts.name}-${++uid}`;
  let sort = opts.sort ?? null;
  let query = "";
  const tbody = h("tbody");
  const count = h("span", { class: "count", "aria-live": "polite" });
  const headers = opts.columns.map((col, i) => {
    const button = h("button", { type: "button", class: "sort", onclick: () => { sort = nextSort(sort, i); draw(); } }, col.label);
    return h("th", { scope: "col", class: col.numeric ? "numeric" : undefined }, button);
  });
  const table = h("table", { class: "data", "data-table": opts.name },
    h("caption", {}, opts.caption),
    h("thead", {}, h("tr", {}, headers)),
    tbody,
  );
  const filter = h("input", {
    type: "search", id, placeholder: "Filter rows…", autocomplete: "off",
    oninput: (e: Event) => { query = (e.target as HTMLInputElement).value; draw(); },
  });

  function draw(): void {
    let rows = filterRows(opts.rows, query, opts.columns.map((c) => c.value));
    if (sort) rows = sortRows(rows, opts.columns[sort.column].value, sort.direction);
    headers.forEach((th, i) => (sort && sort.column === i ? th.setAttribute("aria-sort", sort.direction) : th.removeAttribute("aria-sort")));
    replace(tbody, rows.length
      ? rows.map((r) => h("tr", {}, opts.columns.map((c) => h("td", { class: c.numeric ? "numeric" : undefined }, c.render ? c.render(r) : String(c.value(r) ?? "–")))))
      : h("tr", {}, h("td", { colspan: opts.columns.length, class: "empty" }, opts.rows.length ? "No rows match the filter." : (opts.empty ?? "No records yet."))));
    count.textContent = `${rows.length} of ${opts.rows.length} rows`;
  }
  draw();
  return h("div", { class: "table-block" },
    h("div", { class: "table-tools" }, h("label", { for: id }, `Filter ${opts.caption.toLowerCase()}`), filter, count),
    h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": opts.caption }, table),
  );
}
