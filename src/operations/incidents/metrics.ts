/**
 * @module
 * Incident timing figures as pure functions of the timeline: MTTD (first bad signal → detected)
 * and MTTR (first bad signal → resolved), per incident and as monthly means per incident type.
 * MTTR is counted from the start, not from detection, because that is what users lived through.
 */

export interface Timeline {
  started_at: string;
  detected_at: string;
  acknowledged_at: string | null;
  mitigated_at: string | null;
  resolved_at: string | null;
}

export interface IncidentTimes {
  /** Milliseconds from the first bad signal to detection. */
  ttd_ms: number;
  /** Milliseconds from detection to the first safe remediation that verified, when there was one. */
  ttm_ms: number | null;
  /** Milliseconds from the first bad signal to resolution; null while open. */
  ttr_ms: number | null;
}

const ms = (a: string, b: string): number => Math.max(0, Date.parse(b) - Date.parse(a));

/**
 * @example incidentTimes({ started_at: "2026-01-01T00:00:00Z", detected_at: "2026-01-01T00:02:00Z", acknowledged_at: null, mitigated_at: null, resolved_at: null }).ttd_ms === 120000
 */
export function incidentTimes(t: Timeline): IncidentTimes {
  return {
    ttd_ms: ms(t.started_at, t.detected_at),
    ttm_ms: t.mitigated_at ? ms(t.detected_at, t.mitigated_at) : null,
    ttr_ms: t.resolved_at ? ms(t.started_at, t.resolved_at) : null,
  };
}

export interface MonthlyFigure {
  month: string;
  kind: string;
  incidents: number;
  resolved: number;
  /** Mean time to detect, ms (every incident counts). */
  mttd_ms: number;
  /** Mean time to resolve, ms, over resolved incidents; null when none resolved. */
  mttr_ms: number | null;
}

/**
 * Monthly MTTD/MTTR per incident type, by the month an incident started (UTC), newest first.
 * @example monthlyFigures([{ kind: "provider_outage", ...timeline }])[0].mttd_ms
 */
export function monthlyFigures(rows: ReadonlyArray<Timeline & { kind: string }>): MonthlyFigure[] {
  const groups = new Map<string, { month: string; kind: string; ttd: number[]; ttr: number[] }>();
  for (const r of rows) {
    const month = r.started_at.slice(0, 7);
    const key = `${month}|${r.kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { month, kind: r.kind, ttd: [], ttr: [] }));
    const t = incidentTimes(r);
    g.ttd.push(t.ttd_ms);
    if (t.ttr_ms !== null) g.ttr.push(t.ttr_ms);
  }
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  return [...groups.values()]
    .map((g) => ({ month: g.month, kind: g.kind, incidents: g.ttd.length, resolved: g.ttr.length, mttd_ms: mean(g.ttd), mttr_ms: g.ttr.length ? mean(g.ttr) : null }))
    .sort((a, b) => b.month.localeCompare(a.month) || a.kind.localeCompare(b.kind));
}
