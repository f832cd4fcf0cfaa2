/**
 * @module
 * Report rendering shared by both kinds: an HTML document with tables that read in any mail client
 * (inline styles, no scripts or remote content) and a plain-text twin for clients that show text.
 */
import { escapeHtml } from "./charts";
import { formatUsd } from "../spend/money";

export interface Rendered {
  subject: string;
  html: string;
  text: string;
}

export const usd = (nusd: number) => `$${Number(formatUsd(nusd)).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (x: number | null, digits = 1) => (x === null ? "n/a" : `${(x * 100).toFixed(digits)}%`);
export const change = (cur: number, prev: number) => (prev === 0 ? (cur === 0 ? "0.0%" : "new") : `${cur >= prev ? "+" : ""}${(((cur - prev) / prev) * 100).toFixed(1)}%`);

/** An HTML table; cells are escaped, numbers right-aligned. */
export function htmlTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cell = (tag: "th" | "td", i: number, text: string, border: string) =>
    `<${tag} style="text-align:${i ? "right" : "left"};padding:4px 8px;border-bottom:1px solid ${border}">${escapeHtml(text)}</${tag}>`;
  const th = headers.map((h, i) => cell("th", i, h, "#d1d5db")).join("");
  const tr = rows.map((r) => `<tr>${r.map((c, i) => cell("td", i, String(c), "#f3f4f6")).join("")}</tr>`).join("");
  const empty = `<tr><td colspan="${headers.length}" style="padding:4px 8px;color:#6b7280">none</td></tr>`;
  return `<table style="border-collapse:collapse;font-size:13px;margin:8px 0 16px"><tr>${th}</tr>${tr || empty}</table>`;
}

/** The same table as aligned plain text. */
export function textTable(headers: string[], rows: Array<Array<string | number>>): string {
  const all = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n") + (rows.length ? "" : "\n(none)");
}

/** A section in both forms at once, so HTML and text never say different things. */
export class ReportWriter {
  private readonly html: string[] = [];
  private readonly text: string[] = [];

  heading(title: string): this {
    this.html.push(`<h2 style="font-size:16px;margin:20px 0 4px;color:#111827">${escapeHtml(title)}</h2>`);
    this.text.push("", title.toUpperCase(), "");
    return this;
  }

  para(text: string, opts: { tone?: "warn" | "ok" } = {}): this {
    const color = opts.tone === "warn" ? "#b91c1c" : opts.tone === "ok" ? "#15803d" : "#374151";
    this.html.push(`<p style="margin:4px 0;color:${color};font-size:13px">${escapeHtml(text)}</p>`);
    this.text.push(text);
    return this;
  }

  table(headers: string[], rows: Array<Array<string | number>>): this {
    this.html.push(htmlTable(headers, rows));
    this.text.push(textTable(headers, rows), "");
    return this;
  }

  /** A chart in HTML only; `summary` says the same in words for the text part. */
  chart(svg: string, summary: string): this {
    this.html.push(`<div style="margin:8px 0">${svg}</div>`);
    this.text.push(`[chart] ${summary}`);
    return this;
  }

  done(title: string, subject: string): Rendered {
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:Arial,Helvetica,sans-serif;color:#111827;max-width:720px;margin:0 auto;padding:16px">` +
      `<h1 style="font-size:20px;margin:0 0 8px">${escapeHtml(title)}</h1>\n${this.html.join("\n")}</body></html>`;
    return { subject, html, text: `${title}\n${"=".repeat([...title].length)}\n${this.text.join("\n")}\n` };
  }
}
