/**
 * @module
 * Shapes of the admin API answers the views read (only the fields they use) and small helpers.
 */
import { h, type Child } from "../dom";

export interface List<T> {
  data: T[];
}

export interface Team {
  id: string;
  name: string;
  monthly_budget_usd: number;
  residency: string;
}

export interface UsageRow {
  team?: string;
  workload?: string;
  model?: string;
  provider?: string;
  day?: string;
  requests: number;
  errors: number;
  cache_hits: number;
  cost_usd: number;
}

export function page(title: string, lead: string, ...children: Child[]): HTMLElement {
  return h("div", { class: "view" }, h("h1", {}, title), h("p", { class: "lead" }, lead), h("div", { class: "grid" }, children));
}

/** Query string from defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : "";
}

/** Distinct sorted values. */
export function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export const PALETTE = ["#2f5fb3", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#117a8b", "#7f8c8d"];
