/**
 * @module
 * Inline SVG charts for report emails: fixed size, no scripts, no external references, text in
 * system fonts, so clients that render SVG show them and the numbers beside them stand alone.
 */

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const W = 560;
const H = 160;
const PAD = { left: 48, right: 8, top: 10, bottom: 22 };

/** The opening tag every chart shares: fixed size, labelled for screen readers. */
function svgOpen(title: string): string {
  const size = `width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"`;
  return `<svg xmlns="http://www.w3.org/2000/svg" ${size} role="img" aria-label="${esc(title)}" font-family="Arial, sans-serif">`;
}

function tick(x: number, label: string): string {
  return `<text x="${x.toFixed(1)}" y="${H - 6}" font-size="10" text-anchor="middle" fill="#6b7280">${esc(label)}</text>`;
}

function axis(max: number, label: (v: number) => string): string {
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  return [0, 0.5, 1]
    .map((f) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}" stroke="#e5e7eb"/>` +
      `<text x="${PAD.left - 4}" y="${(y(max * f) + 4).toFixed(1)}" font-size="10" text-anchor="end" fill="#6b7280">${esc(label(max * f))}</text>`)
    .join("");
}

/**
 * Daily bars (e.g. actual spend per day of the month).
 * @example barChart({ title: "Daily spend", values: [1, 2], labels: ["1", "2"], format: (v) => `$${v}` })
 */
export function barChart(opts: { title: string; values: number[]; labels: string[]; format: (v: number) => string }): string {
  const max = Math.max(1e-9, ...opts.values);
  const inner = W - PAD.left - PAD.right;
  const bw = inner / Math.max(1, opts.values.length);
  const bars = opts.values.map((v, i) => {
    const h = ((H - PAD.top - PAD.bottom) * v) / max;
    const box = `x="${(PAD.left + i * bw + 1).toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}"`;
    return `<rect ${box} fill="#2563eb"><title>${esc(`${opts.labels[i]}: ${opts.format(v)}`)}</title></rect>`;
  });
  const ticks = opts.labels.map((l, i) => (i % 7 === 0 ? tick(PAD.left + i * bw + bw / 2, l) : "")).join("");
  return `${svgOpen(opts.title)}${axis(max, opts.format)}${bars.join("")}${ticks}</svg>`;
}

/**
 * A central line with its 80% band (forecast).
 * @example bandChart({ title: "Forecast", p50: [1], p10: [0], p90: [2], labels: ["d1"], format: String })
 */
export function bandChart(opts: { title: string; p50: number[]; p10: number[]; p90: number[]; labels: string[]; format: (v: number) => string }): string {
  const max = Math.max(1e-9, ...opts.p90);
  const n = opts.p50.length;
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, n - 1);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const upper = opts.p90.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  const lower = opts.p10.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
  const line = opts.p50.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const ticks = opts.labels.map((l, i) => (i % 30 === 0 ? tick(x(i), l) : "")).join("");
  return `${svgOpen(opts.title)}${axis(max, opts.format)}` +
    `<polygon points="${[...upper, ...lower].join(" ")}" fill="#bfdbfe"/><polyline points="${line}" fill="none" stroke="#1d4ed8" stroke-width="2"/>${ticks}</svg>`;
}

export { esc as escapeHtml };
