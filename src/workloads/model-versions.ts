/**
 * @module
 * Provider model names as (family, version), and which listed model is a newer version of a
 * target's (pure). Recognised schemes, each on real names:
 * - dated snapshots `-YYYY-MM-DD` (OpenAI: `gpt-4o-mini-2024-07-18`, `o1-2024-12-17`);
 * - `-YYYYMMDD` (Anthropic: `claude-3-5-sonnet-20241022`, `claude-sonnet-4-20250514`);
 * - `-YYMM` from 2023 on (Mistral: `mistral-large-2411`, `codestral-2501`);
 * - `-NNN` revisions (Gemini: `gemini-1.5-pro-001`, `-002`).
 * Aliases (`-latest`, or a bare family such as `gpt-4o-mini`) float on their own and have no
 * version to upgrade. OpenAI's old four-digit `-MMDD` (`gpt-4-0613`, `gpt-3.5-turbo-0125`) has no
 * year, so it is left unordered rather than guessed. Only the same scheme within the same family
 * is compared: a new generation (`claude-3-7-sonnet` after `claude-3-5-sonnet`) is a different
 * model, not an upgrade, and is never proposed.
 */

export type VersionScheme = "date" | "seq";

export interface ModelVersion {
  family: string;
  scheme: VersionScheme;
  /** Comparable within (family, scheme): YYYYMMDD for dates, the revision number for seq. */
  rank: number;
}

const validDate = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 2000 && y < 2100;

/**
 * The family and version of a model name, or undefined for aliases and unordered names.
 * @example parseModelVersion("claude-3-5-sonnet-20241022") // { family: "claude-3-5-sonnet", scheme: "date", rank: 20241022 }
 */
export function parseModelVersion(name: string): ModelVersion | undefined {
  const iso = /^(.+)-(\d{4})-(\d{2})-(\d{2})$/.exec(name);
  if (iso) {
    const [y, m, d] = [Number(iso[2]), Number(iso[3]), Number(iso[4])];
    return validDate(y, m, d) ? { family: iso[1], scheme: "date", rank: y * 10_000 + m * 100 + d } : undefined;
  }
  const compact = /^(.+)-(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (compact) {
    const [y, m, d] = [Number(compact[2]), Number(compact[3]), Number(compact[4])];
    return validDate(y, m, d) ? { family: compact[1], scheme: "date", rank: y * 10_000 + m * 100 + d } : undefined;
  }
  const yymm = /^(.+)-(\d{2})(\d{2})$/.exec(name);
  if (yymm) {
    const [yy, m] = [Number(yymm[2]), Number(yymm[3])];
    // Mistral's releases start in 2023; anything else four-digit is OpenAI's year-less MMDD.
    return yy >= 23 && m >= 1 && m <= 12 ? { family: yymm[1], scheme: "date", rank: (2000 + yy) * 10_000 + m * 100 + 1 } : undefined;
  }
  const seq = /^(.+)-(\d{3})$/.exec(name);
  if (seq) return { family: seq[1], scheme: "seq", rank: Number(seq[2]) };
  return undefined;
}

/**
 * The newest listed model that is a newer version of `current` (same family and scheme), or
 * undefined when there is none or `current` is an alias.
 * @example newerVersion("gpt-4o-mini-2024-07-18", ["gpt-4o-mini", "gpt-4o-mini-2026-10-01"]) === "gpt-4o-mini-2026-10-01"
 */
export function newerVersion(current: string, listed: readonly string[]): string | undefined {
  const now = parseModelVersion(current);
  if (!now) return undefined;
  let best: { name: string; rank: number } | undefined;
  for (const name of listed) {
    const v = parseModelVersion(name);
    if (!v || v.family !== now.family || v.scheme !== now.scheme || v.rank <= now.rank) continue;
    if (!best || v.rank > best.rank) best = { name, rank: v.rank };
  }
  return best?.name;
}
