/**
 * @module
 * Line charts with uPlot (bundled; nothing loads from elsewhere). A chart sizes itself to its
 * container and follows it on resize; `band` shades between two series (a forecast's 80 %
 * interval). Every chart sits beside a table with the same numbers, for keyboards and readers.
 */
import uPlot from "uplot";
import { h } from "./dom";

export interface ChartSeries {
  label: string;
  values: ReadonlyArray<number | null>;
  color: string;
  dash?: number[];
  /** Hidden line, used as a band edge. */
  hidden?: boolean;
}

export interface ChartSpec {
  title: string;
  /** Days as YYYY-MM-DD. */
  days: readonly string[];
  series: readonly ChartSeries[];
  /** Indices into `series` (upper, lower) to shade between. */
  band?: [number, number];
  yLabel: string;
  format?: (v: number) => string;
}

const toSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * A figure with a uPlot line chart.
 * @example lineChart({ title: "Requests", days: ["2026-01-01"], series: [{ label: "a", values: [1], color: "#36c" }], yLabel: "requests" })
 */
export function lineChart(spec: ChartSpec): HTMLElement {
  const holder = h("div", { class: "chart", role: "img", "aria-label": `${spec.title}: chart; the table below has the same numbers` });
  const figure = h("figure", { class: "chart-figure", "data-chart": spec.title }, h("figcaption", {}, spec.title), holder);
  const data = [spec.days.map(toSeconds), ...spec.series.map((s) => s.values.map((v) => (v === null ? null : v)))] as uPlot.AlignedData;
  const fmt = spec.format ?? ((v: number) => v.toLocaleString("en-US"));
  const opts = (width: number): uPlot.Options => ({
    width, height: Math.max(180, Math.min(260, Math.round(width * 0.35))),
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [{ stroke: "#555" }, { stroke: "#555", label: spec.yLabel, size: 70, values: (_u, ticks) => ticks.map(fmt) }],
    series: [{ label: "day" }, ...spec.series.map((s) => ({ label: s.label, stroke: s.hidden ? "transparent" : s.color, width: 2, dash: s.dash, show: true, value: (_u: uPlot, v: number | null) => (v === null ? "–" : fmt(v)) }))],
    bands: spec.band ? [{ series: [spec.band[0] + 1, spec.band[1] + 1], fill: "rgba(51, 102, 204, 0.15)" }] : undefined,
  });
  let plot: uPlot | null = null;
  const observer = new ResizeObserver(() => {
    const width = Math.floor(holder.clientWidth);
    if (width <= 0) return;
    if (!plot) plot = new uPlot(opts(width), data, holder);
    else plot.setSize({ width, height: opts(width).height });
  });
  observer.observe(holder);
  return figure;
}
