/**
 * @module
 * RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends, embedded newlines. Small on
 * purpose; it reads FOCUS exports and writes the report attachment.
 */

/**
 * Rows of fields; a trailing empty line is dropped. Throws on an unterminated quote.
 * @example parseCsv('a,"b ""c"""\n1,2') → [["a", 'b "c"'], ["1", "2"]]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark from spreadsheet exports
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") (row.push(field), (field = ""));
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new SyntaxError(`Unterminated quoted field on line ${rows.length + 1}.`);
  if (field !== "" || row.length) (row.push(field), rows.push(row));
  return rows;
}

function cell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** @example toCsv(["a"], [["x,y"]]) === 'a\r\n"x,y"\r\n' */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
