/**
 * @module
 * Sorting and filtering of table rows: pure functions of plain data, so the table component only
 * renders and the rules are unit-tested.
 */
export type CellValue = string | number | boolean | null | undefined;
export type SortDirection = "ascending" | "descending";

/**
 * Compares two cell values: numbers numerically, everything else as text (natural order, so
 * "run 10" follows "run 9"); empty cells always sort last.
 * @example compareCells(2, 10) < 0 // true
 */
export function compareCells(a: CellValue, b: CellValue): number {
  const emptyA = a === null || a === undefined || a === "";
  const emptyB = b === null || b === undefined || b === "";
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { numeric: true, sensitivity: "base" });
}

/**
 * Rows sorted by one column's values, stable, empties last in either direction.
 * @example sortRows([{ n: 2 }, { n: 1 }], (r) => r.n, "ascending") // [{ n: 1 }, { n: 2 }]
 */
export function sortRows<R>(rows: readonly R[], value: (row: R) => CellValue, direction: SortDirection): R[] {
  const sign = direction === "ascending" ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((x, y) => {
      const emptyX = x.v === null || x.v === undefined || x.v === "";
      const emptyY = y.v === null || y.v === undefined || y.v === "";
      if (emptyX !== emptyY) return emptyX ? 1 : -1;
      return sign * compareCells(x.v, y.v) || x.i - y.i;
    })
    .map((x) => x.row);
}

/**
 * Rows whose cells, taken together, contain every word of `query` (case-insensitive).
 * @example filterRows([{ t: "Sales APAC" }, { t: "Research" }], "apac sal", [(r) => r.t]).length // 1
 */
export function filterRows<R>(rows: readonly R[], query: string, cells: ReadonlyArray<(row: R) => CellValue>): R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = cells.map((c) => String(c(row) ?? "")).join(" \u0000 ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The next sort state after activating a column header (a new column starts ascending). */
export function nextSort(current: { column: number; direction: SortDirection } | null, column: number): { column: number; direction: SortDirection } {
  if (!current || current.column !== column) return { column, direction: "ascending" };
  return { column, direction: current.direction === "ascending" ? "descending" : "ascending" };
}
